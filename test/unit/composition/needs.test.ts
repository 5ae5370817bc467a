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
  });

  it("build a CA on the vault and the checks, without handing those to the handler", () => {
    expect(resourcesNamedBy({ ca: true })).toEqual(["ca"]);
    expect(resourcesBuiltFor({ ca: true }).sort()).toEqual(["ca", "dcv", "vault"]);
  });

  it("fetch the master secret only for private keys and the CA", () => {
    expect(needsMasterSecret({ vaultRead: ["certificates"] })).toBe(false);
    expect(needsMasterSecret({ vaultRead: ["private-keys"] })).toBe(true);
    expect(needsMasterSecret({ ca: true })).toBe(true);
  });
});
