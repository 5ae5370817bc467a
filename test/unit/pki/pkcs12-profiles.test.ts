import { describe, expect, it } from "vitest";
import { checkPfxPassword, PKCS12_PROFILES } from "../../../functions/pki/pkcs12-profiles.ts";

describe("PKCS12_PROFILES", () => {
  it("offers modern first (the default) and legacy", () => {
    expect(PKCS12_PROFILES).toEqual(["modern", "legacy"]);
  });
});

describe("checkPfxPassword", () => {
  it.each([
    ["Tomcat-and-IIS-1", undefined],
    ["12345678", undefined],
    ["with inner spaces ok", undefined],
    ["~!@#$%^&*()_+{}|:<>?", undefined],
    ["x".repeat(128), undefined],
    ["1234567", /at least 8/],
    ["", /at least 8/],
    ["x".repeat(129), /at most 128/],
    ["Pässwort-123", /ASCII/],
    ["password\twith-tab", /ASCII/],
    ["emoji-🔐-password", /ASCII/],
    [" leading-space", /space/],
    ["trailing-space ", /space/],
  ])("%j → %s", (password, problem) => {
    const result = checkPfxPassword(password);
    if (problem === undefined) {
      expect(result).toBeUndefined();
    } else {
      expect(result?.code).toBe("PASSWORD_INVALID");
      expect(result?.message).toMatch(problem);
      if (password !== "") expect(result?.message).not.toContain(password);
    }
  });
});
