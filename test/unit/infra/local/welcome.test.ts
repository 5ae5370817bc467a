import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readLocalSettings } from "../../../../infra/local/local-settings.ts";
import { printWelcome } from "../../../../infra/local/welcome.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

function bannerFor(environment: Record<string, string>): string {
  const printed: string[] = [];
  vi.spyOn(console, "log").mockImplementation((text: string) => printed.push(text));
  const dataDir = mkdtempSync(join(tmpdir(), "certflow-welcome-"));
  printWelcome(
    readLocalSettings({ CERTFLOW_DATA_DIR: dataDir, ...environment }),
    "http://127.0.0.1:3000",
    "http://127.0.0.1:8005",
  );
  return printed.join("\n");
}

describe("the welcome banner", () => {
  it("says HTTP checks reach loopback by default, and which setting refuses it", () => {
    // Act
    const banner = bannerFor({});

    // Assess
    expect(banner).toContain("loopback (127.0.0.1, ::1; set CERTFLOW_ALLOW_LOOPBACK_CHECKS=false");
    expect(banner).toContain("private, link-local and metadata addresses are always refused");
  });

  it("says HTTP checks reach public addresses only when loopback is turned off", () => {
    // Act
    const banner = bannerFor({ CERTFLOW_ALLOW_LOOPBACK_CHECKS: "false" });

    // Assess
    expect(banner).toContain("on public addresses only");
    expect(banner).not.toContain("and loopback");
  });
});
