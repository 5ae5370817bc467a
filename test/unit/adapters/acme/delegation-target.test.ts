import { describe, expect, it } from "vitest";
import {
  acmeChallengeHost,
  delegationTarget,
} from "../../../../functions/adapters/acme/delegation-target.ts";

const ZONE = "dcv.certflow.example";
const TENANT = "tenant-a";

describe("delegation targets for dns-cname", () => {
  it("are one label under the delegation zone, within DNS label limits", () => {
    const target = delegationTarget("shop.example.com", ZONE, TENANT);
    const [label, ...rest] = target.split(".");
    expect(rest.join(".")).toBe(ZONE);
    expect(label).toMatch(/^[0-9a-f]{32}$/);
  });

  it("are stable per name: the same on every call (renewals), for the wildcard, any case, trailing dot", () => {
    const target = delegationTarget("shop.example.com", ZONE, TENANT);
    expect(delegationTarget("shop.example.com", ZONE, TENANT)).toBe(target);
    expect(delegationTarget("*.shop.example.com", ZONE, TENANT)).toBe(target);
    expect(delegationTarget("Shop.Example.COM.", ZONE, TENANT)).toBe(target);
    expect(delegationTarget("shop.example.com", `${ZONE.toUpperCase()}.`, TENANT)).toBe(target);
  });

  it("are unique per name", () => {
    const names = [
      "example.com",
      "www.example.com",
      "shop.example.com",
      "example.org",
      "xn--bcher-kva.de",
    ];
    const targets = new Set(names.map((name) => delegationTarget(name, ZONE, TENANT)));
    expect(targets.size).toBe(names.length);
  });

  it("differ per tenant, so one tenant's CNAME never validates another tenant's order", () => {
    expect(delegationTarget("shop.example.com", ZONE, "tenant-a")).not.toBe(
      delegationTarget("shop.example.com", ZONE, "tenant-b"),
    );
  });

  it("are what _acme-challenge of the name (without *.) points to", () => {
    expect(acmeChallengeHost("*.shop.example.com")).toBe("_acme-challenge.shop.example.com");
    expect(acmeChallengeHost("shop.example.com")).toBe("_acme-challenge.shop.example.com");
  });
});
