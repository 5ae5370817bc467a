import { beforeEach, describe, expect, it } from "vitest";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { CaDirectory } from "../../../../functions/ports/ca-directory.ts";
import { CaUnavailable, caProfileOf } from "../../../../functions/ports/certificate-authority.ts";
import { callRoute, routeTestDependencies } from "../../../support/route-calls.ts";

// POST /v1/orders with `profile`: the CA must offer it (its directory's meta.profiles).

const order = {
  domains: ["shop.example.com"],
  validation: { method: "dns-txt" },
  contact: { name: "Ada", email: "ada@example.com" },
};

const OFFERED = { classic: "The profile certificates had before", shortlived: "Six days" };

let deps: AllDependencies;
let asked = 0;

function acmeDirectory(profiles: () => Promise<Readonly<Record<string, string>>>): CaDirectory {
  return {
    profiles: () => {
      asked += 1;
      return profiles();
    },
    renewalWindow: async () => undefined,
  };
}

beforeEach(() => {
  asked = 0;
  deps = routeTestDependencies(fixedClock(new Date("2027-01-10T08:00:00Z")), {
    caProfile: caProfileOf("acme"),
    caDirectory: acmeDirectory(async () => OFFERED),
    newOrderId: () => "ord_profile1",
  });
});

describe("POST /v1/orders with a profile", () => {
  it("records a profile the CA offers and shows it on the order", async () => {
    const answer = await callRoute(deps, "POST", "/v1/orders", {
      body: { ...order, profile: "shortlived" },
    });

    expect(answer.status, JSON.stringify(answer.json)).toBe(202);
    expect(answer.json.profile).toBe("shortlived");
    expect((await deps.store.get("ord_profile1"))?.profile).toBe("shortlived");
  });

  it("refuses a profile the CA does not offer with 422 PROFILE_UNKNOWN, naming those it does", async () => {
    const answer = await callRoute(deps, "POST", "/v1/orders", {
      body: { ...order, profile: "tlsserver" },
    });

    expect(answer.status).toBe(422);
    expect(answer.json.error).toEqual({
      code: "PROFILE_UNKNOWN",
      message: 'The CA offers no profile "tlsserver"; it offers "classic", "shortlived".',
      details: { field: "profile", offered: OFFERED },
    });
    expect(await deps.store.get("ord_profile1")).toBeUndefined();
  });

  it("says so when the CA offers no profiles at all (the embedded CA)", async () => {
    const embedded = routeTestDependencies(fixedClock(new Date("2027-01-10T08:00:00Z")));

    const answer = await callRoute(embedded, "POST", "/v1/orders", {
      body: { ...order, profile: "classic" },
    });

    expect(answer.status).toBe(422);
    expect(answer.json.error.code).toBe("PROFILE_UNKNOWN");
    expect(answer.json.error.message).toMatch(/offers no profiles/);
  });

  it("answers 503 CA_UNAVAILABLE when the CA's profiles cannot be read", async () => {
    deps = {
      ...deps,
      caDirectory: acmeDirectory(async () => {
        throw new CaUnavailable("the CA answered HTTP 503");
      }),
    };

    const answer = await callRoute(deps, "POST", "/v1/orders", {
      body: { ...order, profile: "classic" },
    });

    expect(answer.status).toBe(503);
    expect(answer.json.error.code).toBe("CA_UNAVAILABLE");
  });

  it("does not ask the CA when the order names no profile, and shows none", async () => {
    const answer = await callRoute(deps, "POST", "/v1/orders", { body: order });

    expect(answer.status).toBe(202);
    expect(asked).toBe(0);
    expect(answer.json).not.toHaveProperty("profile");
  });

  it.each([[""], ["x".repeat(65)], [42]])(
    "refuses a profile that is not a name: %j",
    async (profile) => {
      const answer = await callRoute(deps, "POST", "/v1/orders", { body: { ...order, profile } });

      expect(answer.status).toBe(400);
      expect(asked).toBe(0);
    },
  );
});
