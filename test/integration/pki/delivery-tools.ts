import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ToolResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const INSTALL_HINT: Record<string, string> = {
  openssl: "apt-get install openssl",
  keytool: "apt-get install openjdk-17-jre-headless",
};

/** Runs a system tool; a missing tool fails the test with how to install it, never skips it. */
export function runTool(tool: "openssl" | "keytool", args: readonly string[]): ToolResult {
  const result = spawnSync(tool, args, { encoding: "utf8" });
  if (result.error !== undefined) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing
        ? `${tool} is not installed but these tests need it (${INSTALL_HINT[tool]}).`
        : `${tool} could not be started: ${result.error.message}`,
    );
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Like runTool, but throws with the tool's stderr unless it exits 0; returns stdout. */
export function toolOutput(tool: "openssl" | "keytool", args: readonly string[]): string {
  const result = runTool(tool, args);
  if (result.status !== 0) {
    throw new Error(`${tool} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  }
  return result.stdout;
}

export function requireTools(): void {
  toolOutput("openssl", ["version"]);
  runTool("keytool", ["-help"]);
}

/** A scratch directory; file() writes content (when given) and returns the path. */
export function scratchDirectory(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return (name: string, content?: string | Uint8Array) => {
    const path = join(dir, name);
    if (content !== undefined) writeFileSync(path, content);
    return path;
  };
}
