import { createHash, createPrivateKey, generateKeyPairSync } from "node:crypto";
import type * as acme from "acme-client";
import { CaRejected } from "../../ports/certificate-authority.ts";
import type { CertificateVault } from "../../vault/certificate-vault.ts";
import type { AcmeCall } from "./acme-http-calls.ts";
import { acmeLibrary } from "./acme-library.ts";
import { ACME_ERROR, caErrorForExchange, describeProblem, problemOf } from "./acme-problems.ts";

/** An External Account Binding from the CA (Secrets Manager on AWS; never in state). */
export interface ExternalAccountBinding {
  readonly kid: string;
  /** base64url, as CAs hand it out. */
  readonly hmacKey: string;
}

/**
 * The binding a tenant's account registers with: one per tenant (safe: the CA keeps each
 * tenant's validations apart), or one for all (the CA may reuse one tenant's validations for
 * another; certflow then makes every tenant prove its own names).
 */
export type ExternalAccountBindingProvider = (
  tenantId: string,
) => Promise<ExternalAccountBinding | undefined>;

/** Non-secret description of the account, kept as CA material next to its encrypted key. */
interface StoredAccount {
  readonly directoryUrl: string;
  readonly tenantId: string;
  readonly eabKid?: string;
  readonly accountUrl: string;
  readonly contact: readonly string[];
  readonly registeredAt: string;
}

export interface AcmeAccountOptions {
  readonly directoryUrl: string;
  /** Whose account: the CA's reuse of authorizations and orders never crosses tenants. */
  readonly tenantId: string;
  readonly contactEmail: string;
  readonly vault: CertificateVault;
  readonly externalAccountBinding?: ExternalAccountBindingProvider;
  readonly now: () => Date;
}

/** Problem types a CA answers a bad binding with (wrong kid, wrong HMAC, missing binding). */
const EAB_REFUSALS = new Set(
  ["unauthorized", "malformed", "externalAccountRequired"].map((name) => `${ACME_ERROR}${name}`),
);

function accountPaths(directoryUrl: string, eabKid: string | undefined, tenantId: string) {
  const id = createHash("sha256")
    .update(`${directoryUrl}\n${eabKid ?? ""}\n${tenantId}`)
    .digest("hex")
    .slice(0, 32);
  return {
    key: `ca/acme/accounts/${id}.key.pem`,
    description: `acme/accounts/${id}.json`,
  };
}

function pemOf(pkcs8: Uint8Array): string {
  return createPrivateKey({ key: Buffer.from(pkcs8), format: "der", type: "pkcs8" })
    .export({ format: "pem", type: "pkcs8" })
    .toString();
}

/**
 * One tenant's ACME account at one directory (and EAB kid). ACME CAs reuse an account's valid
 * authorizations and pending orders in its later orders; an account per tenant keeps one
 * tenant's validations from ever issuing another tenant's certificate. Its key is made once and
 * kept encrypted in the vault, its URL kept as CA material, so every later call, in any process,
 * signs with the same account without registering again.
 */
export class AcmeAccount {
  readonly #options: AcmeAccountOptions;
  #client: Promise<acme.Client> | undefined;

  constructor(options: AcmeAccountOptions) {
    this.#options = options;
  }

  /** A client signed in as the account, registering it on first use. */
  client(call: AcmeCall): Promise<acme.Client> {
    this.#client ??= this.#signIn(call, { reuseStoredUrl: true });
    return this.#client;
  }

  /**
   * Registers the same key again, for a CA that no longer knows the stored account URL (a test
   * CA restarted, a staging environment reset): the key, and so the account's identity, stays.
   */
  registerAgain(call: AcmeCall): Promise<acme.Client> {
    this.#client = this.#signIn(call, { reuseStoredUrl: false });
    return this.#client;
  }

  #signIn(call: AcmeCall, options: { reuseStoredUrl: boolean }): Promise<acme.Client> {
    const signingIn = this.#load(call, options.reuseStoredUrl).catch((error: unknown) => {
      if (this.#client === signingIn) this.#client = undefined;
      throw error;
    });
    return signingIn;
  }

  async #load(call: AcmeCall, reuseStoredUrl: boolean): Promise<acme.Client> {
    const { directoryUrl, tenantId, vault } = this.#options;
    const binding = await this.#options.externalAccountBinding?.(tenantId);
    const paths = accountPaths(directoryUrl, binding?.kid, tenantId);
    let pkcs8 = await vault.getSecretKey(paths.key);
    const stored = reuseStoredUrl ? await vault.getCaMaterial(paths.description) : undefined;
    if (pkcs8 !== undefined && stored !== undefined) {
      const account = JSON.parse(stored) as StoredAccount;
      const { Client } = await acmeLibrary();
      return new Client({
        directoryUrl,
        accountKey: pemOf(pkcs8),
        accountUrl: account.accountUrl,
        backoffAttempts: 1,
        backoffMin: 0,
      });
    }
    if (pkcs8 === undefined) {
      // Two cold starts may get here together: one key wins, and both register with it (a
      // new-account request with a known key answers the existing account).
      const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      pkcs8 = await vault.putSecretKeyIfAbsent(
        paths.key,
        new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" })),
      );
    }
    return this.#register(call, pemOf(pkcs8), binding, paths.description);
  }

  async #register(
    call: AcmeCall,
    accountKey: string,
    binding: ExternalAccountBinding | undefined,
    descriptionPath: string,
  ): Promise<acme.Client> {
    const { directoryUrl, tenantId, contactEmail, vault } = this.#options;
    const { Client } = await acmeLibrary();
    const client = new Client({
      directoryUrl,
      accountKey,
      backoffAttempts: 1,
      backoffMin: 0,
      ...(binding !== undefined
        ? { externalAccountBinding: { kid: binding.kid, hmacKey: binding.hmacKey } }
        : {}),
    });
    const contact = [`mailto:${contactEmail}`];
    try {
      await call.send(() => client.createAccount({ termsOfServiceAgreed: true, contact }));
    } catch (error) {
      throw this.#registrationError(call, error, binding);
    }
    const account: StoredAccount = {
      directoryUrl,
      tenantId,
      ...(binding !== undefined ? { eabKid: binding.kid } : {}),
      accountUrl: client.getAccountUrl(),
      contact,
      registeredAt: this.#options.now().toISOString(),
    };
    await vault.putCaMaterial(descriptionPath, JSON.stringify(account, null, 2));
    return client;
  }

  #registrationError(
    call: AcmeCall,
    error: unknown,
    binding: ExternalAccountBinding | undefined,
  ): unknown {
    const failure = call.lastFailure();
    if (failure === undefined) return error;
    const problem = problemOf(failure.body);
    const status = failure.status ?? 0;
    const refused = problem?.type !== undefined && status >= 400 && status < 500;
    if (
      refused &&
      binding === undefined &&
      problem.type === `${ACME_ERROR}externalAccountRequired`
    ) {
      return new CaRejected(
        `The CA requires an external account binding, and none is configured: ${describeProblem(problem)}.`,
      );
    }
    if (refused && binding !== undefined && EAB_REFUSALS.has(problem.type)) {
      return new CaRejected(
        `The CA refused the external account binding: ${describeProblem(problem)} (key id ${binding.kid}).`,
      );
    }
    return caErrorForExchange("registering the ACME account", failure, this.#options.now());
  }
}
