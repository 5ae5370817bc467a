import type { CaaRrset } from "../domain/caa-policy.ts";
import type { CheckFailureCause } from "./dcv-checker.ts";

/** What a CAA lookup of one name found, climbing from the name to its TLD (RFC 8659 section 3). */
export type CaaFinding =
  /** The first non-empty CAA RRset on the way up. */
  | { readonly kind: "found"; readonly rrset: CaaRrset }
  /** No CAA anywhere up to the TLD: any CA may issue. */
  | { readonly kind: "none" }
  /**
   * No verdict: a lookup failed (DNS_SERVFAIL, TIMEOUT, CONNECTION_REFUSED). CAs refuse to
   * issue while it lasts.
   */
  | {
      readonly kind: "failed";
      readonly cause: CheckFailureCause;
      /** Customer-readable: which name failed, and how. */
      readonly detail: string;
    };

/** Looks up the CAA RRset relevant to a name, as a CA would. */
export interface CaaLookup {
  caa(name: string): Promise<CaaFinding>;
}
