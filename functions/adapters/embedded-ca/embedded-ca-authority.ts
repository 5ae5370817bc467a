import { randomBytes } from "node:crypto";
import type { CaaIdentity } from "../../domain/caa-policy.ts";
import type { Clock } from "../../domain/clock.ts";
import type { Instructions, OrderName, ValidationMethodName } from "../../domain/order-record.ts";
import { REVOCATION_REASONS, type RevocationReason } from "../../domain/revocation-reasons.ts";
import { publicationFor } from "../../orders/publication-for.ts";
import { normalSerialHex } from "../../pki/serial-numbers.ts";
import {
  type AttestedValidation,
  type CaProgress,
  CaRejected,
  CaUnavailable,
  type CertificateAuthority,
  type CertificateIdentity,
  type CertificateProgress,
  type ChallengeForName,
  CRL_PATH,
  type PublishedRevocationList,
  type RevocationRequest,
} from "../../ports/certificate-authority.ts";
import type { DcvChecker } from "../../ports/dcv-checker.ts";
import type { CertificateVault } from "../../vault/certificate-vault.ts";
import { EmbeddedCaHierarchy } from "./embedded-ca-hierarchy.ts";
import { EmbeddedCaRevocationList } from "./embedded-ca-revocation-list.ts";

interface EmbeddedChallenge {
  readonly domain: string;
  readonly instructions: Instructions;
}

interface EmbeddedOrder {
  readonly ref: string;
  readonly names: readonly string[];
  /** Names validated earlier for the same tenant, within the reuse period: nothing to check. */
  readonly reused?: readonly string[];
  readonly challenges: readonly EmbeddedChallenge[];
  readonly state: "pending" | "valid" | "invalid" | "issued";
  readonly reason?: string;
  readonly certificatePem?: string;
}

export interface EmbeddedCaOptions {
  readonly vault: CertificateVault;
  readonly dcv: DcvChecker;
  readonly clock: Clock;
  /** Zone the dns-cname method points names at (the service would answer there). */
  readonly cnameTargetZone?: string;
  /** The issuer domain name CAA records allow this CA by; default `certflow.internal`. */
  readonly caaIdentity?: string;
  /**
   * The public base URL the CRL is served under (`<base>/v1/ca/crl`, named in every certificate's
   * CRL distribution points), or a function answering it when it is known only once the service
   * listens; none: certificates name no distribution point.
   */
  readonly crlBaseUrl?: string | (() => string);
  /** How long each CRL is valid (nextUpdate − thisUpdate); default 7 days. */
  readonly crlValiditySeconds?: number;
}

/** Who asked for a revocation, kept once per certificate (the first request). */
interface RevocationRecord {
  readonly at: string;
  readonly tenantId: string;
  readonly reason: RevocationReason;
  readonly serialNumberHex: string;
  readonly certificatePem: string;
}

export const DEFAULT_EMBEDDED_CAA_IDENTITY = "certflow.internal";

const randomToken = (bytes: number) => randomBytes(bytes).toString("hex").toUpperCase();

/**
 * A private CA inside the service: for local runs and for names public CAs will not issue for.
 * It validates the customer's records itself, through the same checks the workflow uses, and
 * signs with an intermediate under its own root (both created once and kept in the vault).
 */
export class EmbeddedCertificateAuthority implements CertificateAuthority {
  readonly kind = "embedded";
  readonly audience = "private";
  readonly #options: EmbeddedCaOptions;
  readonly #hierarchy: EmbeddedCaHierarchy;
  readonly #revocationList: EmbeddedCaRevocationList;

  constructor(options: EmbeddedCaOptions) {
    this.#options = options;
    this.#hierarchy = new EmbeddedCaHierarchy(options.vault, options.clock);
    this.#revocationList = new EmbeddedCaRevocationList({
      vault: options.vault,
      clock: options.clock,
      issuer: () => this.#hierarchy.intermediate(),
      validitySeconds: options.crlValiditySeconds,
    });
  }

  async placeOrder(input: {
    orderId: string;
    names: readonly OrderName[];
    method: ValidationMethodName;
    approvers?: Readonly<Record<string, string>>;
    reusable?: readonly string[];
  }) {
    const ref = `eca_${randomToken(12).toLowerCase()}`;
    const reused = input.names
      .map((name) => name.ascii)
      .filter((name) => input.reusable?.includes(name) === true);
    const challenges = input.names.map((name) => ({
      domain: name.ascii,
      instructions: this.#instructionsFor(name, input.method, input.approvers),
    }));
    const order: EmbeddedOrder = {
      ref,
      names: input.names.map((name) => name.ascii),
      challenges,
      reused,
      state: reused.length === input.names.length ? "valid" : "pending",
    };
    await this.#save(order);
    const forWorkflow: ChallengeForName[] = challenges.map((challenge) => ({
      domain: challenge.domain,
      method: input.method,
      instructions: challenge.instructions,
      ...(reused.includes(challenge.domain) ? { alreadyValidated: true } : {}),
    }));
    return { caOrderRef: ref, challenges: forWorkflow, alreadyValid: order.state === "valid" };
  }

  async changeMethod(
    caOrderRef: string,
    input: {
      names: readonly OrderName[];
      method: ValidationMethodName;
      approvers?: Readonly<Record<string, string>>;
    },
  ): Promise<readonly ChallengeForName[]> {
    const order = await this.#load(caOrderRef);
    if (order.state !== "pending") {
      throw new CaRejected(`The embedded CA's order is ${order.state}; its method cannot change.`);
    }
    const challenges = input.names.map((name) => ({
      domain: name.ascii,
      instructions: this.#instructionsFor(name, input.method, input.approvers),
    }));
    await this.#save({ ...order, challenges });
    return challenges.map((challenge) => ({ ...challenge, method: input.method }));
  }

  async requestValidation(caOrderRef: string, attested?: AttestedValidation): Promise<void> {
    const order = await this.#load(caOrderRef);
    if (order.state !== "pending") return;
    const failures: string[] = [];
    for (const challenge of order.challenges) {
      if (order.reused?.includes(challenge.domain) === true) continue;
      if (challenge.instructions.method === "email") {
        // The service is this CA's registration authority: the approver's decision is the proof.
        if (!(attested?.emailApproved ?? []).includes(challenge.domain)) {
          failures.push(`${challenge.domain}: ${challenge.instructions.approver} has not approved`);
        }
        continue;
      }
      const publication = publicationFor(challenge.instructions);
      if (publication === undefined) {
        failures.push(`${challenge.domain}: method not supported by the embedded CA`);
        continue;
      }
      const outcome = await this.#options.dcv.check(publication);
      if (!outcome.ok) failures.push(`${challenge.domain}: ${outcome.cause} (${outcome.detail})`);
    }
    await this.#save(
      failures.length === 0
        ? { ...order, state: "valid" }
        : { ...order, state: "invalid", reason: failures.join("; ") },
    );
  }

  async validationProgress(caOrderRef: string): Promise<CaProgress> {
    const order = await this.#load(caOrderRef);
    switch (order.state) {
      case "pending":
        return { state: "pending" };
      case "invalid":
        return { state: "invalid", reason: order.reason ?? "validation failed" };
      case "valid":
      case "issued":
        return { state: "valid" };
      default: {
        const unknownState: never = order.state;
        throw new Error(`Unknown embedded CA order state ${String(unknownState)}`);
      }
    }
  }

  async finalize(
    caOrderRef: string,
    csrPem: string,
    validityDays: number,
    identity: CertificateIdentity,
  ) {
    const order = await this.#load(caOrderRef);
    if (order.state === "issued") return this.certificateProgress(caOrderRef);
    if (order.state !== "valid") {
      throw new CaRejected(`The embedded CA cannot issue: the order is ${order.state}.`);
    }
    // The PKI code (asn1js, @peculiar/x509) loads with the first certificate issued, not when a
    // function that only talks to the CA starts.
    const { verifyCsr } = await import("../../pki/csr-verify.ts");
    const { issueLeafCertificate } = await import("../../pki/certificate-signing.ts");
    const { LeafSubjectError } = await import("../../pki/leaf-identity.ts");
    const verification = await verifyCsr(csrPem, order.names);
    if (!verification.ok) {
      throw new CaRejected(verification.defects.map((defect) => defect.message).join(" "));
    }
    const issuer = await this.#hierarchy.intermediate();
    const now = this.#options.clock.now();
    // Backdated a little so clocks that run slightly behind accept it at once.
    const notBefore = new Date(now.getTime() - 60_000);
    const notAfter = new Date(notBefore.getTime() + validityDays * 86_400_000);
    const serial = randomBytes(16);
    serial[0] = (serial[0] ?? 0) & 0x7f;
    // The subject is the order's (product, organization, EV details), whatever the CSR says.
    const certificatePem = await issueLeafCertificate({
      csrPem,
      names: [...order.names],
      subject: identity,
      issuer,
      serialNumber: serial,
      notBefore,
      notAfter,
      crlDistributionPoints: this.#crlUrl(),
    }).catch((error: unknown) => {
      if (error instanceof LeafSubjectError) throw new CaRejected(error.message);
      throw error;
    });
    await this.#save({ ...order, state: "issued", certificatePem });
    return this.certificateProgress(caOrderRef);
  }

  async certificateProgress(caOrderRef: string): Promise<CertificateProgress> {
    const order = await this.#load(caOrderRef);
    if (order.state !== "issued" || order.certificatePem === undefined) {
      return { state: "processing" };
    }
    const issuer = await this.#hierarchy.intermediate();
    return {
      state: "issued",
      certificatePem: order.certificatePem,
      chainPems: [issuer.certificatePem],
    };
  }

  async abandon(caOrderRef: string): Promise<void> {
    const order = await this.#load(caOrderRef);
    if (order.state === "issued" || order.state === "invalid") return;
    await this.#save({ ...order, state: "invalid", reason: "the order was cancelled" });
  }

  /**
   * Records the revocation once per certificate (a repeated request keeps the first one's date
   * and reason), then lists the certificate on the CRL and publishes it. When the CRL cannot be
   * published, the revocation stays recorded and the caller may ask again (CaUnavailable).
   */
  async revoke({ tenantId, certificatePem, reason }: RevocationRequest): Promise<void> {
    if (!(REVOCATION_REASONS as readonly string[]).includes(reason)) {
      throw new CaRejected(`'${reason}' is not a revocation reason the embedded CA takes.`);
    }
    const serialNumberHex = await serialOf(certificatePem);
    const vault = this.#options.vault;
    const name = `embedded/revocations/${serialNumberHex}.json`;
    const request: RevocationRecord = {
      at: this.#options.clock.now().toISOString(),
      tenantId,
      reason: reason as RevocationReason,
      serialNumberHex,
      certificatePem,
    };
    try {
      const first = (await vault.putCaMaterialIfAbsent(name, JSON.stringify(request)))
        ? request
        : (JSON.parse(
            (await vault.getCaMaterial(name)) ?? JSON.stringify(request),
          ) as RevocationRecord);
      await this.#revocationList.revoke({
        serialNumberHex,
        revokedAt: first.at,
        reason: first.reason,
      });
    } catch (error) {
      throw new CaUnavailable(
        `The embedded CA could not publish the revocation of ${serialNumberHex} on its CRL (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
  }

  /** Signs and publishes a fresh CRL: the daily run, and each deployment, keep it from lapsing. */
  async refreshRevocationList(): Promise<PublishedRevocationList> {
    return this.#revocationList.refresh();
  }

  /** It has no accounts: a CAA record that names an `accounturi` never allows it. */
  async caaIdentity(): Promise<CaaIdentity> {
    return {
      identities: [(this.#options.caaIdentity ?? DEFAULT_EMBEDDED_CAA_IDENTITY).toLowerCase()],
    };
  }

  async rootCertificatePem(): Promise<string> {
    return (await this.#hierarchy.root()).certificatePem;
  }

  #crlUrl(): string[] {
    const base = this.#options.crlBaseUrl;
    const url = typeof base === "function" ? base() : base;
    return url === undefined || url === "" ? [] : [`${url.replace(/\/+$/, "")}${CRL_PATH}`];
  }

  #instructionsFor(
    name: OrderName,
    method: ValidationMethodName,
    approvers?: Readonly<Record<string, string>>,
  ): Instructions {
    const base = name.wildcard ? name.ascii.slice(2) : name.ascii;
    switch (method) {
      case "http-file":
        return {
          method,
          url: `http://${base}/.well-known/pki-validation/${randomToken(16)}.txt`,
          content: `certflow-${randomBytes(24).toString("base64url")}`,
        };
      case "dns-txt":
        return {
          method,
          recordType: "TXT",
          host: `_certflow-challenge.${base}`,
          value: `certflow-${randomBytes(24).toString("base64url")}`,
        };
      case "dns-cname": {
        const zone = this.#options.cnameTargetZone ?? "dcv.certflow.internal";
        return {
          method,
          recordType: "CNAME",
          host: `_${randomToken(16).toLowerCase()}.${base}`,
          value: `${randomToken(16).toLowerCase()}.${randomToken(8).toLowerCase()}.${zone}`,
        };
      }
      case "email": {
        const approver = approvers?.[name.ascii];
        if (approver === undefined) throw new CaRejected(`No approver is named for ${name.ascii}.`);
        return { method, approver };
      }
      default: {
        const unknownMethod: never = method;
        throw new CaRejected(`Unknown validation method ${String(unknownMethod)}.`);
      }
    }
  }

  async #load(ref: string): Promise<EmbeddedOrder> {
    if (!/^eca_[a-f0-9]+$/.test(ref)) throw new CaRejected(`Unknown embedded CA order ${ref}.`);
    const stored = await this.#options.vault.getCaMaterial(`embedded/orders/${ref}.json`);
    if (stored === undefined) throw new CaRejected(`Unknown embedded CA order ${ref}.`);
    return JSON.parse(stored) as EmbeddedOrder;
  }

  async #save(order: EmbeddedOrder): Promise<void> {
    await this.#options.vault.putCaMaterial(
      `embedded/orders/${order.ref}.json`,
      JSON.stringify(order),
    );
  }
}

/** The certificate's serial as the CRL lists it; a PEM that holds no certificate is refused. */
async function serialOf(certificatePem: string): Promise<string> {
  // asn1js loads with the first revocation, not when a function that talks to the CA starts.
  const { certificateDer } = await import("../../pki/certificate-info.ts");
  const { readCertificateFields } = await import("../../pki/certificate-fields.ts");
  try {
    return normalSerialHex(readCertificateFields(certificateDer(certificatePem)).serialNumberHex);
  } catch (error) {
    throw new CaRejected(
      `The certificate to revoke cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
