import { describe, expect, it } from "vitest";
import type { CaaRecord } from "../../../functions/domain/caa-policy.ts";
import type { OrderRecord } from "../../../functions/domain/order-record.ts";
import {
  caaForbidsMessage,
  caaLookupOf,
  checkCaa,
  namesCaaForbids,
} from "../../../functions/orders/caa-checks.ts";
import { checkPublications, mergeChecks } from "../../../functions/orders/publication-checks.ts";
import type { CaaFinding, CaaLookup } from "../../../functions/ports/caa-lookup.ts";
import type { DcvChecker } from "../../../functions/ports/dcv-checker.ts";
import { sampleOrder } from "../../support/order-store-contract.ts";

const AT = new Date("2027-01-10T08:00:00Z");
const IDENTITY = { identities: ["certflow.internal"] };

const issue = (value: string): CaaRecord => ({ flags: 0, tag: "issue", value });
const found = (foundAt: string, ...records: CaaRecord[]): CaaFinding => ({
  kind: "found",
  rrset: { foundAt, records },
});
const SERVFAIL: CaaFinding = {
  kind: "failed",
  cause: "DNS_SERVFAIL",
  detail: "The DNS servers for example.com answered SERVFAIL when asked for the CAA records.",
};

/** A lookup answering from a table of names; unknown names have no CAA. */
function lookupOf(findings: Record<string, CaaFinding>): CaaLookup {
  return { caa: async (name) => findings[name] ?? { kind: "none" } };
}

function waitingFor(domains: readonly string[], caaIdentity = IDENTITY): OrderRecord {
  return sampleOrder({
    orderId: "ord_caa",
    status: "PENDING_VALIDATION",
    caaIdentity,
    validations: domains.map((domain) => ({
      domain,
      method: "dns-txt",
      status: "pending",
      instructions: { method: "dns-txt", recordType: "TXT", host: `_c.${domain}`, value: "v" },
    })),
  });
}

const published = (caa: Record<string, CaaFinding>): DcvChecker => ({
  check: async () => ({ ok: true }),
  caa: async (name) => caa[name] ?? { kind: "none" },
});

describe("checkCaa", () => {
  it("allows, forbids with the customer's message, or reports no verdict", async () => {
    const lookup = lookupOf({
      "ok.example": found("ok.example", issue("certflow.internal")),
      "no.example": found("no.example", issue("letsencrypt.org")),
      "sf.example": SERVFAIL,
    });
    expect(await checkCaa(lookup, "ok.example", IDENTITY, "dns-txt")).toEqual({ ok: true });
    expect(await checkCaa(lookup, "other.example", IDENTITY, "dns-txt")).toEqual({ ok: true });
    const forbidden = await checkCaa(lookup, "no.example", IDENTITY, "dns-txt");
    expect(forbidden).toMatchObject({ ok: false, cause: "CAA_FORBIDS" });
    expect(forbidden.ok || forbidden.detail).toContain(
      'no.example. CAA 0 issue "certflow.internal"',
    );
    expect(await checkCaa(lookup, "sf.example", IDENTITY, "dns-txt")).toEqual({
      ok: false,
      cause: "DNS_SERVFAIL",
      detail: SERVFAIL.kind === "failed" ? SERVFAIL.detail : "",
    });
  });
});

describe("namesCaaForbids", () => {
  it("names only the names CAA forbids; a SERVFAIL is no refusal", async () => {
    const order = {
      method: "dns-txt" as const,
      names: ["a.example", "b.example", "c.example"].map((ascii) => ({
        ascii,
        display: ascii,
        wildcard: false,
      })),
    };
    const forbidden = await namesCaaForbids(
      lookupOf({ "b.example": found("b.example", issue(";")), "c.example": SERVFAIL }),
      order,
      IDENTITY,
    );
    expect(forbidden.map((name) => name.domain)).toEqual(["b.example"]);
    expect(forbidden[0]?.detail).toContain('b.example. CAA 0 issue ";"');
  });
});

describe("CAA in the publication checks", () => {
  it("keeps a published name unpublished while its CAA lookup fails, and says why", async () => {
    const result = await checkPublications(
      waitingFor(["sf.example", "ok.example"]),
      published({ "sf.example": SERVFAIL }),
      AT,
    );
    expect(result.allPublished).toBe(false);
    const [servfail, ok] = result.validations;
    expect(servfail?.status).toBe("pending");
    expect(servfail?.lastCheck).toMatchObject({ ok: false, cause: "DNS_SERVFAIL" });
    expect(servfail?.caa).toMatchObject({ ok: false, cause: "DNS_SERVFAIL" });
    expect(ok?.status).toBe("published");
    expect(ok?.caa).toEqual({ ok: true });
  });

  it("reports a forbidding CAA, which caaForbidsMessage turns into the order's reason", async () => {
    const result = await checkPublications(
      waitingFor(["no.example"]),
      published({ "no.example": found("example", issue("letsencrypt.org")) }),
      AT,
    );
    const [name] = result.validations;
    expect(name?.status).toBe("pending");
    expect(name?.caa).toMatchObject({ ok: false, cause: "CAA_FORBIDS" });
    expect(caaForbidsMessage(result.validations)).toContain(
      'example. CAA 0 issue "letsencrypt.org"',
    );
    // Merged into the stored order with the check.
    const merged = mergeChecks(waitingFor(["no.example"]).validations, result.validations);
    expect(merged.validations[0]?.caa).toEqual(name?.caa);
  });

  it("keeps the publication's own failure first, with CAA beside it", async () => {
    const dcv: DcvChecker = {
      check: async () => ({ ok: false, cause: "NO_RECORD", detail: "No TXT record." }),
      caa: async () => SERVFAIL,
    };
    const [name] = (await checkPublications(waitingFor(["x.example"]), dcv, AT)).validations;
    expect(name?.lastCheck).toMatchObject({ ok: false, cause: "NO_RECORD" });
    expect(name?.caa).toMatchObject({ ok: false, cause: "DNS_SERVFAIL" });
  });

  it("judges no CAA for an order placed without it, or a checker without lookups", async () => {
    const asked: string[] = [];
    const dcv: DcvChecker = {
      check: async () => ({ ok: true }),
      caa: async (name) => {
        asked.push(name);
        return SERVFAIL;
      },
    };
    const order = { ...waitingFor(["x.example"]), caaIdentity: undefined };
    const result = await checkPublications(order, dcv, AT);
    expect(asked).toEqual([]);
    expect(result.allPublished).toBe(true);
    expect(result.validations[0]?.caa).toBeUndefined();
    expect(caaLookupOf({ check: dcv.check })).toBeUndefined();
    expect(caaForbidsMessage(result.validations)).toBeUndefined();
  });
});
