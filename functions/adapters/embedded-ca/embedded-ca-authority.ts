import { randomBytes } from "node:crypto";
import type { CaaIdentity } from "../../domain/caa-policy.ts";
import type { Clock } from "../../domain/clock.ts";
import type { Instructions, OrderName, ValidationMethodName } from "../../domain/order-record.ts";
import { publicationFor } from "../../orders/publication-for.ts";
import {
  type AttestedValidation,
  type CaProgress,
  CaRejected,
  type CertificateAuthority,
  type CertificateIdentity,
  type CertificateProgress,
  type ChallengeForName,
  type RevocationRequest,
} from "../../ports/certificate-authority.ts";
import type { DcvChecker } from "../../ports/dcv-checker.ts";
import type { CertificateVault } from "../../vault/certificate-vault.ts";
import { EmbeddedCaHierarchy } from "./embedded-ca-hierarchy.ts";

interface EmbeddedChallenge {
  readonly domain: string;
  readonly instructions: Instructions;
}

interface EmbeddedOrder {
  readonly ref: string;
  readonly names: readonly string[];
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

  constructor(options: EmbeddedCaOptions) {
    this.#options = options;
    this.#hierarchy = new EmbeddedCaHierarchy(options.vault, options.clock);
  }

  async placeOrder(input: {
    orderId: string;
    names: readonly OrderName[];
    method: ValidationMethodName;
    approvers?: Readonly<Record<string, string>>;
  }) {
    const ref = `eca_${randomToken(12).toLowerCase()}`;
    const challenges = input.names.map((name) => ({
      domain: name.ascii,
      instructions: this.#instructionsFor(name, input.method, input.approvers),
    }));
    const order: EmbeddedOrder = {
      ref,
      names: input.names.map((name) => name.ascii),
      challenges,
      state: "pending",
    };
    await this.#save(order);
    const forWorkflow: ChallengeForName[] = challenges.map((challenge) => ({
      domain: challenge.domain,
      method: input.method,
      instructions: challenge.instructions,
    }));
    return { caOrderRef: ref, challenges: forWorkflow, alreadyValid: false };
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

  async revoke({ tenantId, certificatePem, reason }: RevocationRequest): Promise<void> {
    const at = this.#options.clock.now().toISOString();
    await this.#options.vault.putCaMaterial(
      `embedded/revocations/${at}.json`,
      JSON.stringify({ at, tenantId, reason, certificatePem }),
    );
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
