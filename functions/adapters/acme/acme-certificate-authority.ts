import type * as acme from "acme-client";
import type { CaaIdentity } from "../../domain/caa-policy.ts";
import type { OrderName, ValidationMethodName } from "../../domain/order-record.ts";
import { splitPemCertificates } from "../../pki/pem.ts";
import {
  type CaProgress,
  CaRejected,
  type CertificateAuthority,
  type CertificateIdentity,
  type CertificateProgress,
  type ChallengeForName,
  type PlacedOrder,
  type RevocationRequest,
} from "../../ports/certificate-authority.ts";
import type { DnsZone } from "../../ports/dns-zone.ts";
import type { CertificateVault } from "../../vault/certificate-vault.ts";
import { AcmeAccount, type ExternalAccountBindingProvider } from "./acme-account.ts";
import { type AcmeChallengeType, challengeTypeFor, instructionsFor } from "./acme-challenges.ts";
import {
  type AcmeCall,
  type AcmeCallSettings,
  type AcmeExchange,
  inAcmeCall,
} from "./acme-http-calls.ts";
import { httpsAgentTrusting } from "./acme-https-trust.ts";
import {
  type AcmeOrderNotes,
  findOrderNotes,
  loadOrderNotes,
  saveOrderNotes,
} from "./acme-order-notes.ts";
import {
  ACME_ERROR,
  caErrorFor,
  challengeFailureReason,
  describeProblem,
  isProblemType,
  problemOf,
  retryAfterSeconds,
} from "./acme-problems.ts";
import { delegationTarget } from "./delegation-target.ts";
import { revocationReasonCode } from "./revocation-codes.ts";

type AcmeOrder = Awaited<ReturnType<acme.Client["getOrder"]>>;
type AcmeAuthorization = Awaited<ReturnType<acme.Client["getAuthorizations"]>>[number];
type AcmeChallenge = AcmeAuthorization["challenges"][number];

/** The zone the service controls, where dns-cname customers point `_acme-challenge.<name>`. */
export interface AcmeDelegation {
  readonly zone: DnsZone;
  /** e.g. "acme-delegation.certflow.example": targets are `<hash>.<zoneName>`. */
  readonly zoneName: string;
}

export interface AcmeCertificateAuthorityOptions {
  /** The CA's ACME directory, e.g. https://acme-v02.api.letsencrypt.org/directory. */
  readonly directoryUrl: string;
  /** Contact for the ACME account (the CA's notices about the account). */
  readonly contactEmail: string;
  /** For CAs that require External Account Binding; read when the account is first needed. */
  readonly externalAccountBinding?: ExternalAccountBindingProvider;
  /** PEM certificate(s) trusted for the directory's HTTPS in addition to the system roots. */
  readonly extraTrustedCaPem?: string;
  /** Keeps the account key (encrypted) and account URL, and notes per order. */
  readonly vault: CertificateVault;
  /** Needed for the dns-cname method. */
  readonly delegation?: AcmeDelegation;
  /** Per HTTP request to the CA; default 10 s. */
  readonly requestTimeoutMs?: number;
  /**
   * The CA's issuer domain names for CAA, used when its directory lists none in
   * `meta.caaIdentities` (Pebble and step-ca list none).
   */
  readonly caaIdentities?: readonly string[];
  readonly now?: () => Date;
}

/**
 * A field of the directory's `meta` object. acme-client keeps the directory it fetched (and
 * refreshes it) in its HTTP layer, which its typings leave out.
 */
function directoryMetaField(client: acme.Client, field: string): Promise<unknown> {
  const api = (client as unknown as { api?: { http?: { getMetaField?: unknown } } }).api;
  const http = api?.http;
  if (typeof http?.getMetaField !== "function") return Promise.resolve(null);
  return Promise.resolve(http.getMetaField.call(http, field) as unknown);
}

/** acme-client's getOrder reads only the order's URL. */
const orderAt = (url: string) => ({ url }) as AcmeOrder;

function authorizationName(authorization: AcmeAuthorization): string {
  const value = authorization.identifier.value.toLowerCase();
  return authorization.wildcard === true ? `*.${value}` : value;
}

function challengeOfType(
  authorization: AcmeAuthorization,
  type: AcmeChallengeType,
): AcmeChallenge | undefined {
  return authorization.challenges.find((challenge) => challenge.type === type);
}

/**
 * A reused valid authorization may list only the challenge that validated it (Let's Encrypt
 * does), of another type than this order's method. Nothing needs publishing for it, but every
 * name gets instructions of the order's method: built on that challenge's token.
 */
function validatedChallenge(authorization: AcmeAuthorization): AcmeChallenge | undefined {
  if (authorization.status !== "valid") return undefined;
  return authorization.challenges.find((challenge) => challenge.status === "valid");
}

/**
 * A public CA spoken to over ACME (RFC 8555) with acme-client: Let's Encrypt, ZeroSSL, Google
 * Trust Services, or commercial CAs through External Account Binding.
 *
 * Every method is one short exchange with the CA and works in a fresh process from the order's
 * caOrderRef (the ACME order URL) alone: the account and the per-order notes live in the
 * vault. No method waits for the CA; the state machine polls validationProgress and
 * certificateProgress.
 */
export class AcmeCertificateAuthority implements CertificateAuthority {
  readonly kind = "acme";
  readonly audience = "public";
  readonly #options: AcmeCertificateAuthorityOptions;
  readonly #accounts = new Map<string, AcmeAccount>();
  readonly #http: AcmeCallSettings;
  readonly #now: () => Date;

  constructor(options: AcmeCertificateAuthorityOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    const httpsAgent = httpsAgentTrusting(options.extraTrustedCaPem);
    this.#http = {
      timeoutMs: options.requestTimeoutMs ?? 10_000,
      ...(httpsAgent !== undefined ? { httpsAgent } : {}),
    };
  }

  async placeOrder(input: {
    readonly orderId: string;
    readonly tenantId: string;
    readonly names: readonly OrderName[];
    readonly method: ValidationMethodName;
    readonly profile?: string;
    readonly replaces?: string;
  }): Promise<PlacedOrder> {
    const choice = challengeTypeFor(input.names, input.method);
    if ("refusal" in choice) throw new CaRejected(choice.refusal);
    const delegation = this.#options.delegation;
    if (input.method === "dns-cname" && delegation === undefined) {
      throw new CaRejected(
        "The dns-cname method needs a delegation zone, and none is configured for this CA.",
      );
    }
    return this.#call(`placing order ${input.orderId}`, input.tenantId, async (call, client) => {
      const order = await this.#newOrderFor(call, client, input);
      const authorizations = await call.send(() => client.getAuthorizations(order));
      const challenges = await this.#challengesFor(client, order.url, authorizations, input);
      await saveOrderNotes(this.#options.vault, {
        orderUrl: order.url,
        orderId: input.orderId,
        tenantId: input.tenantId,
        method: input.method,
        names: input.names.map((name) => name.ascii),
      });
      return {
        caOrderRef: order.url,
        challenges,
        alreadyValid: authorizations.every((authz) => authz.status === "valid"),
      };
    });
  }

  async changeMethod(
    caOrderRef: string,
    input: {
      readonly tenantId: string;
      readonly names: readonly OrderName[];
      readonly method: ValidationMethodName;
    },
  ): Promise<readonly ChallengeForName[]> {
    const notes = await loadOrderNotes(this.#options.vault, caOrderRef);
    if (input.method === "dns-cname" && this.#options.delegation === undefined) {
      throw new CaRejected(
        "The dns-cname method needs a delegation zone, and none is configured for this CA.",
      );
    }
    if (notes.delegated !== undefined && notes.delegated.changes.length > 0) {
      throw new CaRejected("The CA was already asked to validate this order; it cannot switch.");
    }
    return this.#call("switching the order's method", notes.tenantId, async (call, client) => {
      const order = await call.send(() => client.getOrder(orderAt(caOrderRef)));
      if (order.status !== "pending") {
        throw new CaRejected(`The CA's order is ${order.status}; its method cannot change.`);
      }
      const authorizations = await call.send(() => client.getAuthorizations(order));
      const challenges = await this.#challengesFor(client, order.url, authorizations, {
        ...input,
        tenantId: notes.tenantId,
      });
      await saveOrderNotes(this.#options.vault, { ...notes, method: input.method });
      return challenges;
    });
  }

  /** For each name, the challenge of the method's type and what the customer publishes for it. */
  async #challengesFor(
    client: acme.Client,
    orderUrl: string,
    authorizations: readonly AcmeAuthorization[],
    input: {
      readonly tenantId: string;
      readonly names: readonly OrderName[];
      readonly method: ValidationMethodName;
    },
  ): Promise<ChallengeForName[]> {
    const choice = challengeTypeFor(input.names, input.method);
    if ("refusal" in choice) throw new CaRejected(choice.refusal);
    const delegation = this.#options.delegation;
    const byName = new Map(authorizations.map((authz) => [authorizationName(authz), authz]));
    const challenges: ChallengeForName[] = [];
    for (const name of input.names) {
      const authorization = byName.get(name.ascii.toLowerCase());
      if (authorization === undefined) {
        throw new Error(`The CA's order ${orderUrl} has no authorization for ${name.ascii}.`);
      }
      const challenge =
        challengeOfType(authorization, choice.type) ?? validatedChallenge(authorization);
      if (challenge === undefined) {
        const offered = authorization.challenges.map((offer) => offer.type).join(", ");
        throw new CaRejected(
          `The CA offers no ${choice.type} challenge for ${name.ascii} (it offers ${offered || "none"}).`,
        );
      }
      challenges.push({
        domain: name.ascii,
        method: input.method,
        instructions: instructionsFor({
          name,
          method: input.method,
          token: challenge.token,
          // Typed as the order's method, in case it is a reused authorization's other type.
          keyAuthorization: await client.getChallengeKeyAuthorization({
            ...challenge,
            type: choice.type,
          } as AcmeChallenge),
          tenantId: input.tenantId,
          ...(delegation !== undefined ? { delegationZone: delegation.zoneName } : {}),
        }),
        ...(authorization.status === "valid" ? { alreadyValidated: true } : {}),
      });
    }
    return challenges;
  }

  /**
   * A new ACME order for the names. CAs such as Let's Encrypt answer with the account's pending
   * (or ready) order for the same names if there is one: when another certflow order placed
   * it, sharing it would hand one order's certificate to the other's key. That CA order is
   * given up (its authorizations deactivated, so it can never issue) and a fresh one placed.
   */
  async #newOrderFor(
    call: AcmeCall,
    client: acme.Client,
    input: {
      readonly orderId: string;
      readonly names: readonly OrderName[];
      readonly profile?: string;
      readonly replaces?: string;
    },
  ): Promise<AcmeOrder> {
    const identifiers = input.names.map((name) => ({ type: "dns", value: name.ascii }));
    // acme-client sends the payload as given: `profile` (ACME profiles) and `replaces`
    // (RFC 9773 §5) go along, though its typings name only RFC 8555's fields.
    const request = {
      identifiers,
      ...(input.profile === undefined ? {} : { profile: input.profile }),
    };
    const order = await this.#createOrderReplacing(call, client, request, input.replaces);
    const holder = await findOrderNotes(this.#options.vault, order.url);
    if (holder === undefined || holder.orderId === input.orderId) return order;

    const authorizations = await call.send(() => client.getAuthorizations(order));
    for (const authorization of authorizations) {
      if (authorization.status !== "pending" && authorization.status !== "valid") continue;
      await call.send(() => client.deactivateAuthorization(authorization));
    }
    await saveOrderNotes(this.#options.vault, { ...holder, replacedBy: input.orderId });
    const fresh = await call.send(() => client.createOrder(request));
    if (fresh.url === order.url) {
      throw new CaRejected(
        `The CA keeps answering with its order ${order.url}, which order ${holder.orderId} placed for the same names.`,
      );
    }
    return fresh;
  }

  /**
   * A new order naming the certificate it replaces, when there is one. A CA that refuses the
   * `replaces` (RFC 9773 §5: already replaced, not this account's, not sharing a name) gets the
   * order again without it: the renewal goes on, outside the CA's renewal window accounting.
   */
  async #createOrderReplacing(
    call: AcmeCall,
    client: acme.Client,
    request: Parameters<acme.Client["createOrder"]>[0],
    replaces: string | undefined,
  ): Promise<AcmeOrder> {
    if (replaces === undefined) return call.send(() => client.createOrder(request));
    const replacing = { ...request, replaces };
    try {
      return await call.send(() => client.createOrder(replacing));
    } catch (error) {
      if (!refusesReplaces(call.lastFailure())) throw error;
      return call.send(() => client.createOrder(request));
    }
  }

  async requestValidation(caOrderRef: string): Promise<void> {
    const notes = await loadOrderNotes(this.#options.vault, caOrderRef);
    await this.#call("asking the CA to validate", notes.tenantId, async (call, client) => {
      const order = await call.send(() => client.getOrder(orderAt(caOrderRef)));
      if (order.status !== "pending") return;
      const authorizations = await call.send(() => client.getAuthorizations(order));
      if (notes.method !== "dns-cname") {
        await this.#completeChallenges(call, client, notes, authorizations);
        return;
      }
      const published = await this.#publishDelegatedTxt(client, notes, authorizations);
      if (published.live) {
        await this.#completeChallenges(call, client, published.notes, authorizations);
      }
    });
  }

  async validationProgress(caOrderRef: string): Promise<CaProgress> {
    const notes = await loadOrderNotes(this.#options.vault, caOrderRef);
    return this.#call("reading the order's validation", notes.tenantId, async (call, client) => {
      const order = await call.send(() => client.getOrder(orderAt(caOrderRef)));
      const retryAfter = retryAfterSeconds(call.lastResponse()?.retryAfter, this.#now());
      switch (order.status) {
        case "pending": {
          if (notes.delegated?.challengesRequested === false) {
            await this.#requestOnceDelegationLive(call, client, notes, order);
            return retryAfter === undefined
              ? { state: "pending" }
              : { state: "pending", retryAfterSeconds: retryAfter };
          }
          // Some CAs (step-ca) leave a failed challenge pending with its error, or mark it
          // invalid, while the order stays pending: read the authorizations to know.
          const authorizations = await call.send(() => client.getAuthorizations(order));
          if (authorizations.some(failedAuthorization)) {
            await this.#clearDelegatedTxt(notes);
            return { state: "invalid", reason: invalidOrderReason(order, authorizations) };
          }
          const problems = await this.#retryErredChallenges(call, client, notes, authorizations);
          return {
            state: "pending",
            ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
            ...(problems.length === 0 ? {} : { problems }),
          };
        }
        case "ready":
        case "processing":
        case "valid":
          await this.#clearDelegatedTxt(notes);
          return { state: "valid" };
        case "invalid": {
          const authorizations = await call.send(() => client.getAuthorizations(order));
          await this.#clearDelegatedTxt(notes);
          return { state: "invalid", reason: invalidOrderReason(order, authorizations) };
        }
        default: {
          // Outside RFC 8555's list (Pebble answers "deactivated" once authorizations are):
          // the order can no longer be validated.
          const otherStatus: never = order.status;
          await this.#clearDelegatedTxt(notes);
          return {
            state: "invalid",
            reason: `The CA reports the order as ${String(otherStatus)}.`,
          };
        }
      }
    });
  }

  async finalize(
    caOrderRef: string,
    csrPem: string,
    _validityDays: number,
    _identity?: CertificateIdentity,
  ): Promise<CertificateProgress> {
    // Public ACME CAs choose the validity themselves (Let's Encrypt refuses notAfter), and issue
    // DV certificates only: the subject is theirs too, whatever the order's identity says.
    const notes = await loadOrderNotes(this.#options.vault, caOrderRef);
    return this.#call("finalizing the order", notes.tenantId, async (call, client) => {
      let order = await call.send(() => client.getOrder(orderAt(caOrderRef)));
      if (order.status === "ready") {
        const ready = order;
        order = await call.send(() => client.finalizeOrder(ready, csrPem));
      }
      return this.#certificateOf(call, client, order);
    });
  }

  async certificateProgress(caOrderRef: string): Promise<CertificateProgress> {
    const notes = await loadOrderNotes(this.#options.vault, caOrderRef);
    return this.#call("reading the order's certificate", notes.tenantId, async (call, client) => {
      const order = await call.send(() => client.getOrder(orderAt(caOrderRef)));
      return this.#certificateOf(call, client, order);
    });
  }

  /** Signed by the tenant's account, which the certificate was issued to (RFC 8555 7.6). */
  async revoke(input: RevocationRequest): Promise<void> {
    const { certificatePem, reason } = input;
    const code = revocationReasonCode(reason);
    await this.#call("revoking the certificate", input.tenantId, async (call, client) => {
      try {
        await call.send(() => client.revokeCertificate(certificatePem, { reason: code }));
      } catch (error) {
        // A repeated request (a retry after a lost answer) finds its work done.
        if (isProblemType(call.lastFailure(), "alreadyRevoked")) return;
        throw error;
      }
    });
  }

  /**
   * The directory's `meta.caaIdentities` (else the configured ones), and the tenant's account
   * URL, which RFC 8657 `accounturi` names.
   */
  async caaIdentity(tenantId: string): Promise<CaaIdentity> {
    return this.#call("reading the CA's CAA identities", tenantId, async (call, client) => {
      const listed = await call.send(() => directoryMetaField(client, "caaIdentities"));
      const fromDirectory = Array.isArray(listed)
        ? listed.filter((entry): entry is string => typeof entry === "string" && entry !== "")
        : [];
      const identities =
        fromDirectory.length > 0 ? fromDirectory : (this.#options.caaIdentities ?? []);
      return {
        identities: identities.map((identity) => identity.trim().toLowerCase()),
        accountUri: client.getAccountUrl(),
      };
    });
  }

  /** Public CAs' roots are in every client's trust store already. */
  async rootCertificatePem(): Promise<undefined> {
    return undefined;
  }

  #accountOf(tenantId: string): AcmeAccount {
    let account = this.#accounts.get(tenantId);
    if (account === undefined) {
      const options = this.#options;
      account = new AcmeAccount({
        directoryUrl: options.directoryUrl,
        tenantId,
        contactEmail: options.contactEmail,
        vault: options.vault,
        now: this.#now,
        ...(options.externalAccountBinding !== undefined
          ? { externalAccountBinding: options.externalAccountBinding }
          : {}),
      });
      this.#accounts.set(tenantId, account);
    }
    return account;
  }

  /** One exchange with the CA as the tenant's account. */
  #call<T>(
    doing: string,
    tenantId: string,
    work: (call: AcmeCall, client: acme.Client) => Promise<T>,
  ) {
    const account = this.#accountOf(tenantId);
    return inAcmeCall(this.#http, async (call) => {
      try {
        const client = await account.client(call);
        try {
          return await work(call, client);
        } catch (error) {
          // The CA refused the request before doing anything, so doing it again is safe.
          if (!isProblemType(call.lastFailure(), "accountDoesNotExist")) throw error;
          return await work(call, await account.registerAgain(call));
        }
      } catch (error) {
        throw caErrorFor(doing, error, call.lastFailure(), this.#now());
      }
    });
  }

  async #certificateOf(
    call: AcmeCall,
    client: acme.Client,
    order: AcmeOrder,
  ): Promise<CertificateProgress> {
    switch (order.status) {
      case "valid": {
        const chain = splitPemCertificates(await call.send(() => client.getCertificate(order)));
        const [certificatePem, ...chainPems] = chain;
        if (certificatePem === undefined) {
          throw new Error(`The CA's certificate for ${order.url} holds no certificate.`);
        }
        return { state: "issued", certificatePem, chainPems };
      }
      case "processing": {
        const retryAfter = retryAfterSeconds(call.lastResponse()?.retryAfter, this.#now());
        return retryAfter === undefined
          ? { state: "processing" }
          : { state: "processing", retryAfterSeconds: retryAfter };
      }
      case "invalid": {
        const problem = problemOf(order.error);
        throw new CaRejected(
          `The CA marked the order invalid${problem === undefined ? "" : `: ${describeProblem(problem)}`}.`,
        );
      }
      case "pending":
        throw new CaRejected("The CA has not validated every name of the order yet.");
      case "ready":
        throw new CaRejected("The order was validated but never finalized with a CSR.");
      default: {
        const otherStatus: never = order.status;
        throw new CaRejected(
          `The CA reports the order as ${String(otherStatus)}: it cannot issue.`,
        );
      }
    }
  }

  /**
   * POSTs again each pending challenge that carries an error (RFC 8555 8.2: the client may ask
   * the CA to retry), and answers what the CA reported for each. The state machine's polling
   * backoff paces the retries until the CA deadline.
   */
  async #retryErredChallenges(
    call: AcmeCall,
    client: acme.Client,
    notes: AcmeOrderNotes,
    authorizations: readonly AcmeAuthorization[],
  ): Promise<{ domain: string; detail: string }[]> {
    const choice = notes.method === "http-file" ? "http-01" : "dns-01";
    const problems: { domain: string; detail: string }[] = [];
    for (const authorization of authorizations) {
      if (authorization.status !== "pending") continue;
      const challenge = challengeOfType(authorization, choice);
      if (challenge?.status !== "pending" || challenge.error === undefined) continue;
      const domain = authorizationName(authorization);
      problems.push({ domain, detail: challengeFailureReason(domain, challenge.error) });
      await call.send(() => client.completeChallenge(challenge));
    }
    return problems;
  }

  async #completeChallenges(
    call: AcmeCall,
    client: acme.Client,
    notes: AcmeOrderNotes,
    authorizations: readonly AcmeAuthorization[],
  ) {
    const choice = notes.method === "http-file" ? "http-01" : "dns-01";
    const waiting = authorizations
      .filter((authz) => authz.status === "pending")
      .map((authz) => challengeOfType(authz, choice))
      .filter((challenge) => challenge?.status === "pending");
    for (const challenge of waiting) {
      if (challenge !== undefined) await call.send(() => client.completeChallenge(challenge));
    }
    if (notes.delegated !== undefined) {
      await saveOrderNotes(this.#options.vault, {
        ...notes,
        delegated: { ...notes.delegated, challengesRequested: true },
      });
    }
  }

  /**
   * Adds this order's dns-01 values at the delegation targets the customers' CNAMEs point to,
   * next to values other orders of the tenant may have there for the same name. `live` when the
   * zone already answers with them, so the CA may be asked at once.
   */
  async #publishDelegatedTxt(
    client: acme.Client,
    notes: AcmeOrderNotes,
    authorizations: readonly AcmeAuthorization[],
  ): Promise<{ notes: AcmeOrderNotes; live: boolean }> {
    const delegation = this.#options.delegation;
    if (delegation === undefined) {
      throw new CaRejected("The dns-cname method needs a delegation zone, and none is configured.");
    }
    const valuesByTarget = new Map<string, string[]>();
    for (const authorization of authorizations) {
      if (authorization.status !== "pending") continue;
      const challenge = challengeOfType(authorization, "dns-01");
      if (challenge === undefined) continue;
      const target = delegationTarget(
        authorizationName(authorization),
        delegation.zoneName,
        notes.tenantId,
      );
      const values = valuesByTarget.get(target) ?? [];
      values.push(await client.getChallengeKeyAuthorization(challenge));
      valuesByTarget.set(target, values);
    }
    const records = [...valuesByTarget].map(([target, values]) => ({ target, values }));
    const changes = [];
    for (const { target, values } of records) {
      changes.push(await delegation.zone.addTxt(target, values));
    }
    const published: AcmeOrderNotes = {
      ...notes,
      delegated: { records, changes, challengesRequested: false },
    };
    await saveOrderNotes(this.#options.vault, published);
    const live = await Promise.all(changes.map((change) => delegation.zone.isLive(change)));
    return { notes: published, live: live.every(Boolean) };
  }

  async #requestOnceDelegationLive(
    call: AcmeCall,
    client: acme.Client,
    notes: AcmeOrderNotes,
    order: AcmeOrder,
  ) {
    const delegation = this.#options.delegation;
    if (delegation === undefined || notes.delegated === undefined) return;
    const live = await Promise.all(
      notes.delegated.changes.map((change) => delegation.zone.isLive(change)),
    );
    if (!live.every(Boolean)) return;
    const authorizations = await call.send(() => client.getAuthorizations(order));
    await this.#completeChallenges(call, client, notes, authorizations);
  }

  async abandon(caOrderRef: string): Promise<void> {
    const notes = await loadOrderNotes(this.#options.vault, caOrderRef);
    await this.#call("giving up the order", notes.tenantId, async (call, client) => {
      const order = await call.send(() => client.getOrder(orderAt(caOrderRef)));
      if (order.status !== "pending" && order.status !== "ready") return;
      const authorizations = await call.send(() => client.getAuthorizations(order));
      // Pending ones only: a valid authorization is the account's, shared with its other orders.
      for (const authorization of authorizations) {
        if (authorization.status !== "pending") continue;
        await call.send(() => client.deactivateAuthorization(authorization));
      }
    });
    await this.#clearDelegatedTxt(notes);
  }

  /** The delegated records served their purpose once the CA decided. */
  async #clearDelegatedTxt(notes: AcmeOrderNotes) {
    const delegation = this.#options.delegation;
    if (delegation === undefined || notes.delegated === undefined) return;
    for (const { target, values } of notes.delegated.records) {
      await delegation.zone.removeTxt(target, values);
    }
    const { delegated: _cleared, ...withoutDelegation } = notes;
    await saveOrderNotes(this.#options.vault, withoutDelegation);
  }
}

/** Problems a CA answers an order with `replaces` for that say nothing against the order itself. */
const NOT_ABOUT_REPLACES = new Set(
  ["badNonce", "rateLimited", "accountDoesNotExist", "serverInternal"].map(
    (name) => `${ACME_ERROR}${name}`,
  ),
);

/**
 * Whether the CA refused a new order for its `replaces`: `alreadyReplaced`, or another 4xx
 * problem (`malformed` for a CertID it does not know, `unauthorized` for another account's
 * certificate, …) that an order without it may not meet.
 */
function refusesReplaces(exchange: AcmeExchange | undefined): boolean {
  const status = exchange?.status ?? 0;
  if (status < 400 || status >= 500 || status === 429) return false;
  const type = problemOf(exchange?.body)?.type;
  return type === undefined || !NOT_ABOUT_REPLACES.has(type);
}

/** An authorization that can no longer become valid, or one with a challenge the CA refused. */
function failedAuthorization(authorization: AcmeAuthorization): boolean {
  return (
    (authorization.status !== "pending" && authorization.status !== "valid") ||
    (authorization.status === "pending" &&
      authorization.challenges.some((challenge) => challenge.status === "invalid"))
  );
}

/** Each failed name with the CA's error type and detail, from its invalid challenge. */
export function invalidOrderReason(
  order: AcmeOrder,
  authorizations: readonly AcmeAuthorization[],
): string {
  const reasons = authorizations.filter(failedAuthorization).map((authz) => {
    const failed = authz.challenges.find((challenge) => challenge.status === "invalid");
    return failed === undefined
      ? `${authorizationName(authz)}: the authorization is ${authz.status}`
      : challengeFailureReason(authorizationName(authz), failed.error);
  });
  if (reasons.length > 0) return reasons.join("; ");
  const problem = problemOf(order.error);
  return problem === undefined
    ? "the CA marked the order invalid without saying why"
    : describeProblem(problem);
}
