import type { Clock } from "../../domain/clock.ts";
import type { RevocationReason } from "../../domain/revocation-reasons.ts";
import { normalSerialHex } from "../../pki/serial-numbers.ts";
import type { PublishedRevocationList } from "../../ports/certificate-authority.ts";
import type { CertificateVault } from "../../vault/certificate-vault.ts";
import type { CaKeyPair } from "./embedded-ca-hierarchy.ts";

/** One certificate on the list, as the CA keeps it. */
export interface ListedRevocation {
  /** Lowercase hex, without a sign byte (as certificate-fields.ts reads serials). */
  readonly serialNumberHex: string;
  /** ISO 8601. */
  readonly revokedAt: string;
  readonly reason: RevocationReason;
}

/**
 * One list the CA signed, kept under its CRL number and never rewritten: the numbers are
 * claimed one after the other with conditional writes, so each list holds every certificate
 * the list before it held.
 */
interface SignedList {
  readonly crlNumber: number;
  readonly thisUpdate: string;
  readonly nextUpdate: string;
  readonly entries: readonly ListedRevocation[];
  /** The CRL, DER in base64. */
  readonly der: string;
}

export const DEFAULT_CRL_VALIDITY_SECONDS = 7 * 86_400;

const LISTS = "embedded/crls";
/** The number of the list last published: where the search for the latest starts. */
const LATEST_HINT = "embedded/crl-latest.json";
/** How often a process that lost a number to another tries the next one. */
const CLAIM_ATTEMPTS = 10;
/** Lists are dated a minute back, as certificates are, for clients whose clocks run behind. */
const BACKDATE_MS = 60_000;

const listName = (crlNumber: number) => `${LISTS}/${String(crlNumber).padStart(16, "0")}.json`;

const publishedFacts = (list: SignedList): PublishedRevocationList => ({
  crlNumber: list.crlNumber,
  thisUpdate: new Date(list.thisUpdate),
  nextUpdate: new Date(list.nextUpdate),
  revoked: list.entries.length,
});

/**
 * The embedded CA's certificate revocation list. Each change (a revocation, or the daily
 * refresh that keeps nextUpdate ahead) signs a list under the next CRL number, claimed with a
 * conditional write, built from the list under the number before it. Two processes changing it
 * at once cannot both claim one number; the one that loses builds again on the winner's list,
 * so no revocation is ever dropped. The latest list is then published in the vault's public
 * folder (public/ca/crl.der), and whoever publishes looks again for a later list and publishes
 * that one instead, so the published list ends as the latest even when writes overtake one
 * another.
 */
export class EmbeddedCaRevocationList {
  readonly #vault: CertificateVault;
  readonly #clock: Clock;
  readonly #issuer: () => Promise<CaKeyPair>;
  readonly #validityMs: number;

  constructor(options: {
    vault: CertificateVault;
    clock: Clock;
    /** The CA that issued the certificates and signs the list (the intermediate). */
    issuer: () => Promise<CaKeyPair>;
    validitySeconds?: number;
  }) {
    const validitySeconds = options.validitySeconds ?? DEFAULT_CRL_VALIDITY_SECONDS;
    if (!Number.isInteger(validitySeconds) || validitySeconds < 3_600) {
      throw new Error(`A CRL must be valid for at least an hour, not ${validitySeconds} s.`);
    }
    this.#vault = options.vault;
    this.#clock = options.clock;
    this.#issuer = options.issuer;
    this.#validityMs = validitySeconds * 1000;
  }

  /**
   * Lists the certificate and publishes the list. A certificate listed already keeps its entry
   * (its first revocation date and reason): the list is published again, not changed.
   */
  async revoke(entry: ListedRevocation): Promise<PublishedRevocationList> {
    const serial = normalSerialHex(entry.serialNumberHex);
    return this.#change((entries) =>
      entries.some((listed) => listed.serialNumberHex === serial)
        ? undefined
        : [...entries, { ...entry, serialNumberHex: serial }],
    );
  }

  /** Signs the same entries again with a new thisUpdate, nextUpdate and number, and publishes it. */
  async refresh(): Promise<PublishedRevocationList> {
    return this.#change((entries) => entries);
  }

  /** The latest list the CA signed, if it signed one. */
  async latest(): Promise<PublishedRevocationList | undefined> {
    const latest = await this.#latest();
    return latest === undefined ? undefined : publishedFacts(latest);
  }

  /** `change` answers the next list's entries, or undefined when the latest needs no change. */
  async #change(
    change: (entries: readonly ListedRevocation[]) => readonly ListedRevocation[] | undefined,
  ): Promise<PublishedRevocationList> {
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      const latest = await this.#latest();
      const entries = change(latest?.entries ?? []);
      if (entries === undefined && latest !== undefined) return this.#publish(latest);
      const list = await this.#sign((latest?.crlNumber ?? 0) + 1, entries ?? []);
      if (await this.#vault.putCaMaterialIfAbsent(listName(list.crlNumber), JSON.stringify(list))) {
        return this.#publish(list);
      }
      // Another process signed this number first: build again on its list.
    }
    throw new Error(
      `The embedded CA could not claim a CRL number in ${CLAIM_ATTEMPTS} attempts: other processes kept signing lists.`,
    );
  }

  async #sign(crlNumber: number, entries: readonly ListedRevocation[]): Promise<SignedList> {
    // The PKI code (@peculiar/x509) loads with the first list signed.
    const { signRevocationList } = await import("../../pki/revocation-list.ts");
    const now = this.#clock.now().getTime();
    const thisUpdate = new Date(Math.floor((now - BACKDATE_MS) / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + this.#validityMs);
    const der = await signRevocationList({
      issuer: await this.#issuer(),
      crlNumber: BigInt(crlNumber),
      thisUpdate,
      nextUpdate,
      entries: entries.map((entry) => ({ ...entry, revokedAt: new Date(entry.revokedAt) })),
    });
    return {
      crlNumber,
      thisUpdate: thisUpdate.toISOString(),
      nextUpdate: nextUpdate.toISOString(),
      entries,
      der: Buffer.from(der).toString("base64"),
    };
  }

  /**
   * Publishes the list, then looks for a later one: one signed meanwhile may have been
   * published before this write landed, and is published again so the latest stays on top.
   */
  async #publish(signed: SignedList): Promise<PublishedRevocationList> {
    let list = signed;
    for (;;) {
      await this.#vault.publishCrl(Buffer.from(list.der, "base64"));
      const later = await this.#after(list);
      if (later === list) break;
      list = later;
    }
    await this.#vault.putCaMaterial(LATEST_HINT, JSON.stringify({ crlNumber: list.crlNumber }));
    return publishedFacts(list);
  }

  async #latest(): Promise<SignedList | undefined> {
    const hint = await this.#vault.getCaMaterial(LATEST_HINT);
    const hinted = hint === undefined ? 0 : Number(JSON.parse(hint).crlNumber ?? 0);
    const start = hinted > 0 ? await this.#read(hinted) : undefined;
    // The hint only ever names a list that exists; without one, the search starts at the first.
    const first = start ?? (await this.#read(1));
    return first === undefined ? undefined : this.#after(first);
  }

  /** The last of the lists numbered from `list` on (numbers are claimed without gaps). */
  async #after(list: SignedList): Promise<SignedList> {
    let latest = list;
    for (;;) {
      const next = await this.#read(latest.crlNumber + 1);
      if (next === undefined) return latest;
      latest = next;
    }
  }

  async #read(crlNumber: number): Promise<SignedList | undefined> {
    const text = await this.#vault.getCaMaterial(listName(crlNumber));
    return text === undefined ? undefined : (JSON.parse(text) as SignedList);
  }
}
