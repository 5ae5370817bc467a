import { describe, expect, it } from "vitest";
import {
  needsMasterSecret,
  resourcesBuiltFor,
  resourcesNamedBy,
} from "../../../functions/composition/needs.ts";

describe("needs", () => {
  it("name the resources a handler is given", () => {
    expect(resourcesNamedBy({})).toEqual([]);
    expect(resourcesNamedBy({ table: "read", vaultRead: ["certificates"], mail: true })).toEqual([
      "store",
      "vault",
      "mailer",
    ]);
    expect(resourcesNamedBy({ vaultRead: [], workflow: [] })).toEqual([]);
    // Mailing customers and handing mail to SES itself (the mail queue's sender) are two needs.
    expect(resourcesNamedBy({ mailDelivery: true })).toEqual(["mailDelivery"]);
  });

  it("build a CA on the vault and the checks, without handing those to the handler", () => {
    expect(resourcesNamedBy({ ca: true })).toEqual(["ca"]);
    expect(resourcesBuiltFor({ ca: true }).sort()).toEqual(["ca", "dcv", "vault"]);
  });

  it("read the CA's directory with nothing else: no vault, no checks, no secret", () => {
    expect(resourcesNamedBy({ caDirectory: true })).toEqual(["caDirectory"]);
    expect(resourcesBuiltFor({ caDirectory: true })).toEqual(["caDirectory"]);
    expect(resourcesNamedBy({ ca: true, caDirectory: true })).toEqual(["ca", "caDirectory"]);
    expect(needsMasterSecret({ caDirectory: true })).toBe(false);
  });

  it("fetch the master secret only for private keys and the CA", () => {
    expect(needsMasterSecret({ vaultRead: ["certificates"] })).toBe(false);
    expect(needsMasterSecret({ vaultRead: ["private-keys"] })).toBe(true);
    expect(needsMasterSecret({ ca: true })).toBe(true);
  });
});
