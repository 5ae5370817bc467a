import { describe, expect, it } from "vitest";
import type { OrderRecord } from "../../../functions/domain/order-record.ts";
import { checkPublications, mergeChecks } from "../../../functions/orders/publication-checks.ts";
import type { DcvChecker } from "../../../functions/ports/dcv-checker.ts";
import { sampleOrder } from "../../support/order-store-contract.ts";

const AT = new Date("2027-01-10T08:00:00Z");

function waitingFor(...domains: string[]): OrderRecord {
  return sampleOrder({
    orderId: "ord_checks",
    status: "PENDING_VALIDATION",
    validations: domains.map((domain) => ({
      domain,
      method: "dns-txt",
      status: "pending",
      instructions: { method: "dns-txt", recordType: "TXT", host: `_c.${domain}`, value: "v" },
    })),
  });
}

describe("checkPublications", () => {
  it("checks each name once, and reports a check still running at the time bound as TIMEOUT", async () => {
    // Prepare: one name answers at once, the other never does.
    const asked: string[] = [];
    const dcv: DcvChecker = {
      check: (publication) => {
        const host = publication.kind === "http-file" ? publication.url : publication.host;
        asked.push(host);
        return host === "_c.fast.example.com"
          ? Promise.resolve({ ok: true })
          : new Promise(() => {});
      },
    };

    // Act
    const result = await checkPublications(
      waitingFor("fast.example.com", "stuck.example.com"),
      dcv,
      AT,
      50,
    );

    // Assess
    expect(asked.sort()).toEqual(["_c.fast.example.com", "_c.stuck.example.com"]);
    expect(result.allPublished).toBe(false);
    expect(result.validations.map((validation) => validation.status)).toEqual([
      "published",
      "pending",
    ]);
    expect(result.validations[1]?.lastCheck).toMatchObject({ ok: false, cause: "TIMEOUT" });
    expect(result.validations[1]?.lastCheck?.detail).toContain("within 0.05 s");
  });

  it("keeps what each authoritative server answered with the name's last check", async () => {
    // Prepare
    const servers = [
      { name: "ns1.example.net", address: "192.0.2.1", found: true, answered: true },
      {
        name: "ns2.example.net",
        address: "192.0.2.2",
        found: false,
        answered: true,
        detail: "No TXT record at _c.split.example.com.",
      },
    ];
    const dcv: DcvChecker = {
      check: async (publication) =>
        publication.kind !== "http-file" && publication.host === "_c.split.example.com"
          ? {
              ok: false,
              cause: "NOT_PROPAGATED",
              detail: "Published on ns1, not yet on ns2.",
              servers,
            }
          : { ok: true },
    };

    // Act
    const result = await checkPublications(
      waitingFor("split.example.com", "plain.example.com"),
      dcv,
      AT,
    );

    // Assess
    expect(result.validations[0]?.lastCheck).toEqual({
      at: AT.toISOString(),
      ok: false,
      cause: "NOT_PROPAGATED",
      detail: "Published on ns1, not yet on ns2.",
      servers,
    });
    expect(result.validations[1]?.lastCheck).toEqual({ at: AT.toISOString(), ok: true });
  });
});

describe("mergeChecks", () => {
  it("takes a check only for the instructions it checked: a name switched meanwhile stays as switched", () => {
    // Prepare: the check found the old TXT record; the name was switched to email meanwhile.
    const [checkedName] = waitingFor("switched.example.com").validations;
    if (checkedName === undefined) throw new Error("no validation");
    const check = {
      ...checkedName,
      status: "published" as const,
      lastCheck: { at: AT.toISOString(), ok: true },
    };
    const switched = {
      ...checkedName,
      method: "email" as const,
      instructions: { method: "email" as const, approver: "admin@example.com" },
    };

    // Act
    const merged = mergeChecks([switched], [check]);
    const unswitched = mergeChecks([checkedName], [check]);

    // Assess
    expect(merged.validations).toEqual([switched]);
    expect(merged.allPublished).toBe(false);
    expect(unswitched.validations[0]?.status).toBe("published");
  });
});
