import { describe, expect, it } from "vitest";
import { revocationReasonCode } from "../../../../functions/adapters/acme/revocation-codes.ts";
import { CaRejected } from "../../../../functions/ports/certificate-authority.ts";

describe("revocation reason codes (RFC 5280 CRLReason)", () => {
  it("maps each reason a subscriber may give to its code", () => {
    expect(revocationReasonCode("unspecified")).toBe(0);
    expect(revocationReasonCode("keyCompromise")).toBe(1);
    expect(revocationReasonCode("affiliationChanged")).toBe(3);
    expect(revocationReasonCode("superseded")).toBe(4);
    expect(revocationReasonCode("cessationOfOperation")).toBe(5);
  });

  it("refuses reasons a subscriber may not give, and names that are not reasons", () => {
    for (const reason of [
      "cACompromise",
      "certificateHold",
      "privilegeWithdrawn",
      "toString",
      "",
    ]) {
      expect(() => revocationReasonCode(reason)).toThrow(CaRejected);
    }
    expect(() => revocationReasonCode("certificateHold")).toThrow(
      /unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation/,
    );
  });
});
