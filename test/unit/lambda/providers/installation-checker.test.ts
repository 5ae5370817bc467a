import { describe, expect, it } from "vitest";
import { installationChecker } from "../../../../functions/lambda/providers/installation-checker.ts";

describe("the Lambda installation checker", () => {
  it("refuses loopback, private and metadata addresses without connecting", async () => {
    const checker = installationChecker();

    for (const address of ["127.0.0.1", "10.0.0.8", "169.254.169.254", "::1"]) {
      const observation = await checker.observe(address, { timeoutMs: 1_000 });
      expect(observation).toMatchObject({ ok: false, cause: "ADDRESS_NOT_PUBLIC" });
    }
  });
});
