import type { ServerCheck } from "../domain/propagation.ts";
import type { CaaFinding } from "./caa-lookup.ts";

/** What the customer must make visible for one name, and what a check compares against. */
export type Publication =
  | {
      readonly kind: "http-file";
      readonly url: string;
      readonly content: string;
      /** ACME servers ignore whitespace at the end of an http-01 body (RFC 8555 8.3). */
      readonly trailingWhitespaceAllowed?: boolean;
    }
  | { readonly kind: "dns-txt"; readonly host: string; readonly value: string }
  | { readonly kind: "dns-cname"; readonly host: string; readonly value: string };

export const CHECK_FAILURE_CAUSES = [
  "NXDOMAIN",
  "NO_RECORD",
  "WRONG_VALUE",
  "REDIRECTED",
  "HTTP_STATUS",
  "TRAILING_NEWLINE",
  "CONNECTION_REFUSED",
  "TIMEOUT",
  /** The name's DNS servers answered SERVFAIL (broken delegation or DNSSEC). */
  "DNS_SERVFAIL",
  /** The name leads to an address off the public internet: nothing was fetched there. */
  "ADDRESS_NOT_PUBLIC",
  /** The record is on some of the zone's authoritative servers and not yet on others. */
  "NOT_PROPAGATED",
] as const;

export type CheckFailureCause = (typeof CHECK_FAILURE_CAUSES)[number];

export type CheckOutcome =
  | { readonly ok: true; readonly servers?: readonly ServerCheck[] }
  | {
      readonly ok: false;
      readonly cause: CheckFailureCause;
      /** Customer-readable: what was found and what was expected. */
      readonly detail: string;
      /**
       * DNS checks: what each of the zone's authoritative servers answered (the propagation
       * view); absent for HTTP checks and when no authoritative server was found.
       */
      readonly servers?: readonly ServerCheck[];
    };

/** Looks at DNS or the web the way a CA would, through the configured resolver and port. */
export interface DcvChecker {
  check(publication: Publication): Promise<CheckOutcome>;
  /**
   * The CAA relevant to a name (RFC 8659), through the same resolver. A checker that looks at
   * publications only (a test double) leaves it out, and then no CAA is judged.
   */
  caa?(name: string): Promise<CaaFinding>;
}
