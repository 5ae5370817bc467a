import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ConsoleConfig } from "../../../../functions/api/console-config.ts";
import { CONSOLE_CSP, consoleFile } from "../../../../infra/local/console-files.ts";

/** A build folder laid out as scripts/build-console.mjs leaves it. */
function buildDir(withBuild: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), "certflow-console-"));
  if (withBuild) {
    mkdirSync(join(dir, "b1"));
    writeFileSync(join(dir, "b1", "index.html"), "<!doctype html><title>certflow</title>");
    writeFileSync(join(dir, "b1", "console.js"), "console.log(1)");
    writeFileSync(join(dir, "b1", "console.css"), "body{}");
    writeFileSync(join(dir, "current.json"), JSON.stringify({ dir: "b1", builtAt: 1, inputs: [] }));
  }
  return dir;
}

const text = (body: string) => Buffer.from(body, "base64").toString("utf8");

describe("the web console's files on the local host", () => {
  it("serves the page, its script and its stylesheet under a CSP with no inline code", () => {
    const dir = buildDir(true);
    const page = consoleFile("/", dir);
    const script = consoleFile("/console.js", dir);
    const style = consoleFile("/console.css", dir);

    expect(page?.statusCode).toBe(200);
    expect(text(page?.body ?? "")).toContain("<title>certflow</title>");
    expect(page?.headers?.["content-type"]).toBe("text/html; charset=utf-8");
    expect(script?.headers?.["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(style?.headers?.["content-type"]).toBe("text/css; charset=utf-8");
    for (const answer of [page, script, style]) {
      expect(answer?.headers?.["content-security-policy"]).toBe(CONSOLE_CSP);
      expect(answer?.headers?.["x-content-type-options"]).toBe("nosniff");
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain("unsafe-inline");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
  });

  it("serves nothing else: other paths go on to the API's routes", () => {
    const dir = buildDir(true);
    for (const path of [
      "/v1/orders",
      "/current.json",
      "/../package.json",
      "/b1/console.js",
      "/favicon.ico",
    ]) {
      expect(consoleFile(path, dir), path).toBeUndefined();
    }
  });

  it("says how to build it when there is no build yet", () => {
    const dir = buildDir(false);
    const page = consoleFile("/", dir);
    expect(page?.statusCode).toBe(503);
    expect(text(page?.body ?? "")).toContain("npm install");
    expect(consoleFile("/console.js", dir)).toBeUndefined();
  });

  it("serves the console config: the token sign-in by default, as JSON, not cached", () => {
    const dir = buildDir(false);
    const answer = consoleFile("/console-config.json", dir);

    expect(answer?.statusCode).toBe(200);
    expect(JSON.parse(text(answer?.body ?? ""))).toEqual({ signIn: { kind: "token" } });
    expect(answer?.headers?.["content-type"]).toBe("application/json");
    expect(answer?.headers?.["cache-control"]).toBe("no-cache");
    expect(answer?.headers?.["content-security-policy"]).toBe(CONSOLE_CSP);
    expect(answer?.headers?.["x-content-type-options"]).toBe("nosniff");
  });

  it("lets a console that signs in elsewhere call that token endpoint, and nothing more", () => {
    const dir = buildDir(true);
    const config: ConsoleConfig = {
      signIn: {
        kind: "cognito",
        authorizeUrl: "http://127.0.0.1:9100/oauth2/authorize",
        tokenUrl: "http://127.0.0.1:9100/oauth2/token",
        logoutUrl: "http://127.0.0.1:9100/logout",
        clientId: "console-client",
        scopes: ["openid", "email"],
      },
    };

    const served = consoleFile("/console-config.json", dir, config);
    const page = consoleFile("/", dir, config);

    expect(JSON.parse(text(served?.body ?? ""))).toEqual(config);
    const csp = page?.headers?.["content-security-policy"] ?? "";
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:9100;");
    expect(csp).toContain("script-src 'self';");
    expect(CONSOLE_CSP).not.toContain("127.0.0.1:9100");
  });
});
