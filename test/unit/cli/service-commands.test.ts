import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { checkCommandWith } from "../../../functions/cli/check-command.ts";
import { UsageError } from "../../../functions/cli/cli-io.ts";
import { downloadCommandWith } from "../../../functions/cli/download-command.ts";
import { listCommandWith, matchesDomain } from "../../../functions/cli/list-command.ts";
import { renewCommandWith } from "../../../functions/cli/renew-command.ts";
import { connect } from "../../../functions/cli/service-client.ts";
import { statusCommandWith } from "../../../functions/cli/status-command.ts";
import { findTokenSource, type TokenSourceKind } from "../../../functions/cli/token-sources.ts";
import { LOCAL_TOKENS_FILE } from "../../../functions/local/local-token-file.ts";
import { fakeIo, fakeService, ISSUED_CERTIFICATE, orderView } from "./fake-service.ts";

const ENV = { CERTFLOW_URL: "http://127.0.0.1:3000", CERTFLOW_TOKEN: "cf_test" };

describe("certflow status", () => {
  it("shows the order; --json prints the order view as the API answers it", async () => {
    const order = orderView({ status: "ISSUED", certificate: ISSUED_CERTIFICATE });
    const service = fakeService((request) =>
      request.path === "/v1/orders/ord_1" ? { json: order } : undefined,
    );
    const human = fakeIo();
    const json = fakeIo();

    expect(await statusCommandWith(service.context).run(["ord_1"], human.io)).toBe(0);
    expect(await statusCommandWith(service.context).run(["ord_1", "--json"], json.io)).toBe(0);

    expect(human.out[0]).toBe("Order ord_1: ISSUED");
    expect(JSON.parse(json.stdout())).toEqual(JSON.parse(JSON.stringify(order)));
  });

  it("needs exactly one order id; an unknown one is NOT_FOUND (exit 2)", async () => {
    const service = fakeService(() => undefined);
    const command = statusCommandWith(service.context);
    const { io, stderr } = fakeIo();

    await expect(command.run([], io)).rejects.toThrow("Name the order id.");
    await expect(command.run(["a", "b"], io)).rejects.toThrow("Name one order id, not 2");
    expect(await command.run(["ord_nope"], io)).toBe(2);
    expect(stderr()).toBe("NOT_FOUND: /v1/orders/ord_nope was not found.");
  });
});

describe("certflow list", () => {
  it("asks for --domain and follows the pages, keeping only orders with that name", async () => {
    const pages: Record<string, { orders: unknown[]; nextCursor?: string }> = {
      "": {
        orders: [orderView({ id: "ord_a", domains: ["a.example.com"] })],
        nextCursor: "c1",
      },
      c1: {
        orders: [
          orderView({ id: "ord_b", domains: ["www.shop.example.com", "Shop.example.com"] }),
          orderView({ id: "ord_x", domains: ["www.shop.example.com"] }),
          orderView({ id: "ord_c", domains: ["shop.example.com"] }),
        ],
        nextCursor: "c2",
      },
      c2: { orders: [orderView({ id: "ord_d", domains: ["shop.example.com"] })] },
    };
    const service = fakeService((request) => {
      const url = new URL(request.path, "http://x");
      return url.pathname === "/v1/orders"
        ? { json: pages[url.searchParams.get("cursor") ?? ""] }
        : undefined;
    });
    const { io, stdout } = fakeIo();

    const code = await listCommandWith(service.context).run(
      ["--domain", "shop.EXAMPLE.com.", "--status", "issued", "--limit", "2"],
      io,
    );

    expect(code).toBe(0);
    expect(service.requests.map((request) => request.path)).toEqual([
      "/v1/orders?limit=2&status=ISSUED&domain=shop.EXAMPLE.com.",
      "/v1/orders?limit=2&status=ISSUED&domain=shop.EXAMPLE.com.&cursor=c1",
    ]);
    expect(stdout()).toContain("ord_b");
    expect(stdout()).toContain("ord_c");
    expect(stdout()).not.toContain("ord_a");
    expect(stdout()).not.toContain("ord_x");
    expect(stdout()).not.toContain("ord_d");
  });

  it("matches names in Unicode or punycode, and wildcards as written", () => {
    const order = orderView({ domains: ["bücher.example", "*.Shop.example.com"] });
    expect(matchesDomain(order, "xn--bcher-kva.example")).toBe(true);
    expect(matchesDomain(order, "BÜCHER.example")).toBe(true);
    expect(matchesDomain(order, "*.shop.example.com")).toBe(true);
    expect(matchesDomain(order, "shop.example.com")).toBe(false);
  });

  it.each([
    [["--status", "DONE"], "--status must be one of SUBMITTED"],
    [["--limit", "0"], "--limit must be a whole number"],
    [["ord_1"], "unexpected argument 'ord_1'"],
  ])("refuses %j", async (args, message) => {
    const service = fakeService(() => undefined);
    await expect(listCommandWith(service.context).run(args, fakeIo().io)).rejects.toThrow(message);
  });
});

describe("certflow check", () => {
  it("exits 0 when everything is published and 1 when a name is not yet", async () => {
    let published = false;
    const service = fakeService((request) =>
      request.method === "POST" && request.path === "/v1/orders/ord_1/checks"
        ? {
            json: {
              id: "ord_1",
              allPublished: published,
              resumed: published,
              results: [
                published
                  ? { domain: "shop.example.com", ok: true }
                  : { domain: "shop.example.com", ok: false, cause: "NO_RECORD", detail: "None." },
              ],
            },
          }
        : undefined,
    );
    const missing = fakeIo();
    const done = fakeIo();

    expect(await checkCommandWith(service.context).run(["ord_1"], missing.io)).toBe(1);
    published = true;
    expect(await checkCommandWith(service.context).run(["ord_1"], done.io)).toBe(0);

    expect(missing.out).toEqual([
      "Not everything is published yet:",
      "  shop.example.com: NO_RECORD",
      "    None.",
    ]);
    expect(done.out[0]).toBe("Everything is published; the order goes on now.");
  });

  it("--json: an error is the document too", async () => {
    const service = fakeService(() => ({
      status: 409,
      json: { error: { code: "NOT_WAITING_FOR_VALIDATION", message: "Order ord_1 is ISSUED." } },
    }));
    const { io, out, stderr } = fakeIo();

    expect(await checkCommandWith(service.context).run(["ord_1", "--json"], io)).toBe(2);
    expect(JSON.parse(out.join("\n"))).toEqual({
      error: {
        status: 409,
        code: "NOT_WAITING_FOR_VALIDATION",
        message: "Order ord_1 is ISSUED.",
      },
    });
    expect(stderr()).toBe("NOT_WAITING_FOR_VALIDATION: Order ord_1 is ISSUED.");
  });
});

describe("certflow download", () => {
  const pfx = new Uint8Array([0x30, 0x82, 0x01, 0x02]);
  const downloads = () =>
    fakeService((request) => {
      if (request.path.includes("format=iis")) {
        return {
          bytes: pfx,
          headers: {
            "content-type": "application/x-pkcs12",
            "content-disposition": 'attachment; filename="shop.example.com.pfx"',
          },
        };
      }
      if (request.path.includes("format=apache")) {
        return {
          bytes: zipSync({ "../escape.key": new TextEncoder().encode("x") }),
          headers: { "content-type": "application/zip" },
        };
      }
      return undefined;
    }, ENV);

  it("iis: the password goes in the X-Pfx-Password header, the .pfx is written 0600", async () => {
    const dir = mkdtempSync(join(tmpdir(), "certflow-download-"));
    writeFileSync(join(dir, "pw"), "Pfx-Password-1\n");
    const service = downloads();
    const context = { ...service.context, cwd: dir };
    const { io, stdout } = fakeIo();

    const code = await downloadCommandWith(context).run(
      [
        "ord_1",
        "--format",
        "iis",
        "--pfx-password-file",
        "pw",
        "--profile",
        "legacy",
        "--out",
        "out",
      ],
      io,
    );

    expect(code).toBe(0);
    expect(service.requests[0]).toMatchObject({
      path: "/v1/orders/ord_1/certificate?format=iis&profile=legacy",
      headers: { accept: "application/x-pkcs12", "x-pfx-password": "Pfx-Password-1" },
    });
    const file = join(dir, "out", "shop.example.com.pfx");
    expect(new Uint8Array(readFileSync(file))).toEqual(pfx);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "out")).mode & 0o777).toBe(0o700);
    expect(stdout()).toContain(`${file} (mode 0600`);
  });

  it("replaces an existing file whole, leaving nothing else behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "certflow-download-"));
    mkdirSync(join(dir, "out"));
    writeFileSync(join(dir, "out", "shop.example.com.pfx"), "old", { mode: 0o644 });
    const service = downloads();
    const context = { ...service.context, cwd: dir, env: { ...ENV, CERTFLOW_PFX_PASSWORD: "P-1" } };

    expect(
      await downloadCommandWith(context).run(
        ["ord_1", "--format", "iis", "--out", "out"],
        fakeIo().io,
      ),
    ).toBe(0);
    expect(readdirSync(join(dir, "out"))).toEqual(["shop.example.com.pfx"]);
    expect(statSync(join(dir, "out", "shop.example.com.pfx")).mode & 0o777).toBe(0o600);
  });

  it("refuses a zip entry that is not a plain file name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "certflow-download-"));
    const service = downloads();
    await expect(
      downloadCommandWith({ ...service.context, cwd: dir }).run(
        ["ord_1", "--format", "apache", "--out", "out"],
        fakeIo().io,
      ),
    ).rejects.toThrow("not a plain file name");
  });

  it.each([
    [["ord_1", "--out", "d"], "say --format"],
    [["ord_1", "--format", "nginx"], "--out DIR is required"],
    [["ord_1", "--format", "iis", "--out", "d"], "needs a password"],
    [["ord_1", "--format", "nginx", "--profile", "legacy", "--out", "d"], "are for iis and tomcat"],
    [["ord_1", "--format", "iis", "--pfx-password", "x", "--out", "d"], "Unknown option"],
  ])("refuses %j", async (args, message) => {
    const service = fakeService(() => undefined, ENV);
    const run = downloadCommandWith(service.context).run(args, fakeIo().io);
    await expect(run).rejects.toThrow(UsageError);
    await expect(downloadCommandWith(service.context).run(args, fakeIo().io)).rejects.toThrow(
      message,
    );
  });
});

describe("certflow renew", () => {
  it("renews an order now, --rekey with a new key", async () => {
    const service = fakeService((request) =>
      request.method === "POST" && request.path === "/v1/orders/ord_1/renewals"
        ? {
            status: 202,
            json: { id: "ord_1", renewal: { orderId: "ord_1-r1", rekey: true } },
          }
        : undefined,
    );
    const { io, stdout } = fakeIo();

    expect(await renewCommandWith(service.context).run(["ord_1", "--rekey"], io)).toBe(0);
    expect(service.requests[0]?.body).toEqual({ rekey: true });
    expect(stdout()).toContain("Renewal ord_1-r1 of ord_1 started (a new key)");
  });

  it("a renewal that cannot be rekeyed is REKEY_NEEDS_CSR (exit 2)", async () => {
    const service = fakeService(() => ({
      status: 422,
      json: { error: { code: "REKEY_NEEDS_CSR", message: "Order again with a new CSR." } },
    }));
    const { io, stderr } = fakeIo();

    expect(await renewCommandWith(service.context).run(["ord_1", "--rekey"], io)).toBe(2);
    expect(stderr()).toBe("REKEY_NEEDS_CSR: Order again with a new CSR.");
  });

  it.each([
    [[], "Name the order to renew"],
    [["ord_1", "--due"], "name no order with it"],
    [["--due", "--rekey"], "go with an order id"],
    [["ord_1", "--token", "cf_x"], "--token goes with --due"],
    [["ord_1", "--out", "d"], "add --wait"],
  ])("refuses %j", async (args, message) => {
    const service = fakeService(() => undefined, ENV);
    await expect(renewCommandWith(service.context).run(args, fakeIo().io)).rejects.toThrow(message);
  });
});

describe("where the URL and token come from", () => {
  function dataDirWithTokens() {
    const cwd = mkdtempSync(join(tmpdir(), "certflow-tokens-"));
    mkdirSync(join(cwd, ".certflow"));
    writeFileSync(
      join(cwd, ".certflow", LOCAL_TOKENS_FILE),
      JSON.stringify([
        { token: "cf_local_customer", tenantId: "local", role: "customer" },
        { token: "cf_local_operator", tenantId: "local", role: "operator" },
      ]),
    );
    writeFileSync(join(cwd, ".certflow", "service-url"), "http://127.0.0.1:4123\n");
    return cwd;
  }

  it("the local service: its URL and customer token from ./.certflow", async () => {
    const cwd = dataDirWithTokens();
    const service = fakeService(() => ({ json: orderView() }), {}, cwd);

    await statusCommandWith(service.context).run(["ord_1"], fakeIo().io);

    expect(service.requests[0]?.headers.authorization).toBe("Bearer cf_local_customer");
    const client = connect(service.context, {});
    expect(client.url).toBe("http://127.0.0.1:4123");
  });

  it("CERTFLOW_TOKEN comes first; the local token never goes to a service elsewhere", () => {
    const cwd = dataDirWithTokens();
    const context = (serviceUrl: string, env: Record<string, string> = {}) => ({
      env,
      cwd,
      serviceUrl,
      role: "customer" as const,
    });

    expect(
      findTokenSource(context("http://127.0.0.1:4123", { CERTFLOW_TOKEN: "cf_env" }))?.origin,
    ).toBe("CERTFLOW_TOKEN");
    expect(findTokenSource(context("http://localhost:3000"))?.origin).toContain(".certflow");
    expect(findTokenSource(context("https://api.example.com/prod"))).toBeUndefined();
    expect(() =>
      connect(fakeService(() => undefined, {}, cwd).context, { url: "https://api.example.com" }),
    ).toThrow("No token for https://api.example.com: set CERTFLOW_TOKEN");
  });

  it("a source of its own (a sign-in that refreshes its tokens) plugs in", async () => {
    let issued = 0;
    const signIn: TokenSourceKind = () => ({
      origin: "sign-in",
      token: async () => `id-token-${++issued}`,
    });
    const service = fakeService(() => ({ json: orderView() }), {
      CERTFLOW_URL: "https://api.example.com/prod",
    });

    const command = statusCommandWith({ ...service.context, tokenSources: [signIn] });
    await command.run(["ord_1"], fakeIo().io);
    await command.run(["ord_1"], fakeIo().io);

    expect(service.requests.map((request) => request.headers.authorization)).toEqual([
      "Bearer id-token-1",
      "Bearer id-token-2",
    ]);
    expect(service.requests[0]?.path).toBe("/prod/v1/orders/ord_1");
  });

  it("refuses a --url that is not http(s)", () => {
    expect(() => connect(fakeService(() => undefined).context, { url: "ftp://x" })).toThrow(
      "--url must be an http(s) URL",
    );
  });
});
