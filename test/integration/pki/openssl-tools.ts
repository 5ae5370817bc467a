import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A scratch directory and openssl, run synchronously; throws with openssl's stderr on failure. */
export function opensslWorkspace(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const openssl = (args: readonly string[]) => {
    try {
      return execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? "";
      throw new Error(`openssl ${args.join(" ")} failed: ${stderr}`);
    }
  };
  const file = (name: string, content?: string | Uint8Array) => {
    const path = join(dir, name);
    if (content !== undefined) writeFileSync(path, content);
    return path;
  };
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  return { dir, openssl, file, read };
}
