import { describe, expect, it } from "vitest";
import { describeRevocationReason } from "../../../functions/domain/revocation-reasons.ts";

describe("describeRevocationReason", () => {
  it.each([
    ["unspecified", "no reason given"],
    ["keyCompromise", "the private key was compromised"],
    ["affiliationChanged", "the organization's details changed"],
    ["superseded", "the certificate was replaced"],
    ["cessationOfOperation", "the names are no longer in use"],
  ] as const)("describes %s as '%s'", (reason, description) => {
    expect(describeRevocationReason(reason)).toBe(description);
  });
});
