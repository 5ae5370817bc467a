import { describe, expect, it } from "vitest";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { type CaKind, caProfileOf } from "../../../../functions/ports/certificate-authority.ts";
import { callRoute } from "../../../support/route-calls.ts";

function depsFor(kind: CaKind): AllDependencies {
  return {
    clock: fixedClock(new Date("2027-01-10T08:00:00Z")),
    caProfile: caProfileOf(kind),
    logError: () => undefined,
  } as unknown as AllDependencies;
}

describe("GET /v1/domains/{domain}/approver-emails", () => {
  it.each([
    ["embedded", "co.uk", "PUBLIC_SUFFIX"],
    ["embedded", "*.co.uk", "PUBLIC_SUFFIX"],
    ["embedded", "p%D0%B0ypal.com", "MIXED_SCRIPTS"],
    ["embedded", "exa_mple.com", "NAME_INVALID_CHARACTERS"],
    ["embedded", "192.0.2.1", "IP_ADDRESS"],
    ["embedded", "a..example.com", "LABEL_EMPTY"],
    ["acme", "localhost", "RESERVED_NAME"],
    ["acme", "shop.notatld", "UNKNOWN_TOP_LEVEL_DOMAIN"],
  ] as const)(
    "with the %s CA answers %s with 422 %s, as an order's name would be",
    async (kind, domain, code) => {
      // Act
      const answer = await callRoute(
        depsFor(kind),
        "GET",
        `/v1/domains/${decodeURIComponent(domain)}/approver-emails`,
      );

      // Assess
      expect(answer.status).toBe(422);
      expect(answer.json).toMatchObject({ error: { code } });
      expect(JSON.stringify(answer.json)).not.toContain("approverEmails");
    },
  );
});
