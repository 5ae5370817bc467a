import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../functions/cli/cli-io.ts";
import { orderCommandWith, parseOrderArguments } from "../../../functions/cli/order-command.ts";
import type { OrderView } from "../../../functions/cli/order-format.ts";
import {
  fakeIo,
  fakeService,
  ISSUED_CERTIFICATE,
  orderView,
  type SeenRequest,
} from "./fake-service.ts";

const ENV = { CERTFLOW_URL: "http://127.0.0.1:3000", CERTFLOW_TOKEN: "cf_test" };
const BASE = ["--domain", "shop.example.com", "--method", "dns-txt", "--email", "ada@example.com"];
const parse = (...args: string[]) => parseOrderArguments(args, { env: ENV, cwd: "/" });

describe("certflow order: arguments", () => {
  it("builds the order's request body", async () => {
    const parsed = await parse(
      "--domain",
      "shop.example.com",
      "--domain",
      "www.shop.example.com",
      "--method",
      "DNS-TXT",
      "--key",
      "ec-p384",
      "--email",
      "ada@example.com",
      "--name",
      "Ada",
    );
    expect(parsed.body).toEqual({
      domains: ["shop.example.com", "www.shop.example.com"],
      validation: { method: "dns-txt" },
      key: { type: "EC-P384" },
      contact: { name: "Ada", email: "ada@example.com" },
    });
    expect(parsed.wait).toBe(false);
    expect(parsed.download).toBeUndefined();
  });

  it("takes the contact from the environment, the approver for email, the CSR from a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "certflow-order-"));
    writeFileSync(join(dir, "request.csr"), "-----BEGIN CERTIFICATE REQUEST-----\n…");
    const parsed = await parseOrderArguments(
      [
        "--domain",
        "shop.example.com",
        "--method",
        "email",
        "--approver",
        "admin@example.com",
        "--csr",
        "request.csr",
        "--wait",
        "--out",
        "certs",
      ],
      { env: { CERTFLOW_CONTACT_EMAIL: "ops@example.com" }, cwd: dir },
    );
    expect(parsed.body).toEqual({
      domains: ["shop.example.com"],
      validation: { method: "email", approverEmail: "admin@example.com" },
      csr: "-----BEGIN CERTIFICATE REQUEST-----\n…",
      contact: { name: "ops@example.com", email: "ops@example.com" },
    });
    expect(parsed.out).toBe(join(dir, "certs"));
    // With your own CSR the service holds no key: the default download is the pem.
    expect(parsed.download).toEqual({ format: "pem" });
  });

  it.each([
    [["--method", "dns-txt", "--email", "a@example.com"], "name at least one --domain"],
    [["--domain", "a.example.com", "--email", "a@example.com"], "say --method"],
    [[...BASE.slice(0, 2), "--method", "carrier-pigeon", "--email", "a@b.c"], "--method must be"],
    [[...BASE, "--key", "DSA-1024"], "--key must be one of"],
    [[...BASE, "--key", "EC-P256", "--csr", "x.csr"], "--key or --csr, not both"],
    [["--domain", "a.example.com", "--method", "dns-txt"], "--email ADDRESS"],
    [[...BASE.slice(0, 2), "--method", "email", "--email", "a@b.c"], "--approver ADDRESS"],
    [[...BASE, "--approver", "admin@example.com"], "--approver is for --method email"],
    [[...BASE, "--out", "dir"], "add --wait"],
    [[...BASE, "--format", "iis"], "go with --out"],
    [[...BASE, "--wait", "--out", "d", "--format", "iis"], "needs a password"],
    [[...BASE, "--wait", "--out", "d", "--format", "zip"], "--format must be one of"],
    [[...BASE, "--csr", "/no/such.csr"], "cannot read the CSR /no/such.csr: ENOENT"],
    [[...BASE, "extra"], "unexpected argument 'extra'"],
    [[...BASE, "--token", "cf_x"], "Unknown option '--token'"],
  ])("refuses %j: %s", async (args, message) => {
    await expect(parse(...args)).rejects.toThrow(UsageError);
    await expect(parse(...args)).rejects.toThrow(message);
  });

  it("reads the pfx password from a file, never from an argument", async () => {
    const dir = mkdtempSync(join(tmpdir(), "certflow-order-"));
    writeFileSync(join(dir, "password"), "Secret-Pass-1\nignored\n");
    const parsed = await parseOrderArguments(
      [...BASE, "--wait", "--out", "d", "--format", "iis", "--pfx-password-file", "password"],
      { env: {}, cwd: dir },
    );
    expect(parsed.download).toEqual({
      format: "iis",
      password: "Secret-Pass-1",
      profile: undefined,
    });
    const fromEnvironment = await parseOrderArguments(
      [...BASE, "--wait", "--out", "d", "--format", "tomcat"],
      { env: { CERTFLOW_PFX_PASSWORD: "From-Env-2" }, cwd: dir },
    );
    expect(fromEnvironment.download?.password).toBe("From-Env-2");
  });
});

/**
 * A service where the order moves on each time it is read: `statuses` in turn, the last one
 * staying. Checks answer what `published` says.
 */
function orderingService(statuses: OrderView[], options: { published?: boolean } = {}) {
  let reads = 0;
  const service = fakeService((request: SeenRequest) => {
    if (request.method === "POST" && request.path === "/v1/orders") {
      return { status: 202, json: orderView({ status: "SUBMITTED", validations: [] }) };
    }
    if (request.method === "GET" && request.path === "/v1/orders/ord_1") {
      const order = statuses[Math.min(reads, statuses.length - 1)];
      reads++;
      return { json: order };
    }
    if (request.method === "POST" && request.path === "/v1/orders/ord_1/checks") {
      return {
        json: {
          id: "ord_1",
          allPublished: options.published === true,
          resumed: options.published === true,
          results: [],
        },
      };
    }
    if (request.path.startsWith("/v1/orders/ord_1/certificate?format=nginx")) {
      const encode = (text: string) => new TextEncoder().encode(text);
      return {
        bytes: zipSync({
          "shop.example.com.fullchain.pem": encode("-----BEGIN CERTIFICATE-----\n"),
          "shop.example.com.key": encode("-----BEGIN PRIVATE KEY-----\n"),
          "README.txt": encode("nginx"),
        }),
        headers: {
          "content-type": "application/zip",
          "content-disposition": 'attachment; filename="shop.example.com.nginx.zip"',
        },
      };
    }
    return undefined;
  }, ENV);
  return service;
}

const issued = orderView({ status: "ISSUED", certificate: ISSUED_CERTIFICATE });

describe("certflow order: against the service", () => {
  it("without --wait shows what to publish once the CA has the order, and ends (exit 0)", async () => {
    const service = orderingService([
      orderView({ status: "SUBMITTED", validations: [] }),
      orderView(),
    ]);
    const { io, stdout } = fakeIo();

    const code = await orderCommandWith(service.context).run(BASE, io);

    expect(code).toBe(0);
    expect(service.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/orders",
      headers: { authorization: "Bearer cf_test", "content-type": "application/json" },
    });
    expect(stdout()).toContain("Ordered ord_1 for shop.example.com, www.shop.example.com.");
    expect(stdout()).toContain("    name:  _certflow-challenge.shop.example.com");
    expect(stdout()).toContain("certflow check ord_1");
  });

  it("--wait: shows what to publish once, presses verify now at growing intervals, exits 0 when issued", async () => {
    const pending = orderView();
    const service = orderingService([
      orderView({ status: "SUBMITTED", validations: [] }),
      ...Array.from({ length: 40 }, () => pending),
      orderView({ status: "ISSUING" }),
      issued,
    ]);
    const { io, out } = fakeIo();

    const code = await orderCommandWith(service.context).run([...BASE, "--wait"], io);

    expect(code).toBe(0);
    const text = out.join("\n");
    expect(text.match(/Publish this/g)).toHaveLength(1);
    expect(out).toContain("SUBMITTED · placing the order with the CA");
    expect(out).toContain("ISSUING · the CA is issuing");
    expect(out).toContain("ISSUED · serial 5f1c, valid until 2026-05-30 12:00 UTC");
    expect(text).toContain("certflow download ord_1 --format nginx --out DIR");
    const checks = service.requests.filter((request) => request.path.endsWith("/checks"));
    const gaps = checks.slice(1).map((check, index) => check.at - (checks[index]?.at ?? 0));
    expect(checks.length).toBeGreaterThanOrEqual(3);
    for (const [index, gap] of gaps.entries()) {
      if (index > 0) expect(gap).toBeGreaterThanOrEqual(gaps[index - 1] ?? 0);
    }
    expect(gaps[0]).toBeGreaterThanOrEqual(20_000);
  });

  it("--wait --out downloads the files, keys with mode 0600", async () => {
    const dir = mkdtempSync(join(tmpdir(), "certflow-order-out-"));
    const service = orderingService([orderView(), issued]);
    const { io, stdout } = fakeIo();

    const code = await orderCommandWith(service.context).run(
      [...BASE, "--wait", "--out", join(dir, "certs")],
      io,
    );

    expect(code).toBe(0);
    const download = service.requests.find((request) => request.path.includes("/certificate"));
    expect(download?.headers.accept).toBe("application/zip");
    expect(statSync(join(dir, "certs", "shop.example.com.key")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "certs", "shop.example.com.fullchain.pem")).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dir, "certs", "README.txt"), "utf8")).toBe("nginx");
    expect(stdout()).toContain("shop.example.com.key (mode 0600: holds the private key)");
  });

  it("--wait: an order that fails exits 1 with its code and message", async () => {
    const service = orderingService([
      orderView(),
      orderView({
        status: "FAILED",
        failure: { code: "VALIDATION_TIMED_OUT", message: "Nothing was published in time." },
      }),
    ]);
    const { io, stderr } = fakeIo();

    const code = await orderCommandWith(service.context).run([...BASE, "--wait"], io);

    expect(code).toBe(1);
    expect(stderr()).toContain(
      "order ord_1 is FAILED: VALIDATION_TIMED_OUT: Nothing was published in time.",
    );
  });

  it("--json: one JSON document on stdout (the order, with the files), the rest on stderr", async () => {
    const dir = mkdtempSync(join(tmpdir(), "certflow-order-json-"));
    const service = orderingService([orderView(), issued]);
    const { io, out, stderr } = fakeIo(80);

    const code = await orderCommandWith(service.context).run(
      [...BASE, "--wait", "--out", dir, "--json"],
      io,
    );

    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const document = JSON.parse(out[0] ?? "");
    expect(document).toMatchObject({ id: "ord_1", status: "ISSUED" });
    expect(document.files).toContainEqual({
      path: join(dir, "shop.example.com.key"),
      mode: "0600",
    });
    expect(stderr()).toContain("Publish this");
  });

  it.each([
    [422, "NAME_INVALID_CHARACTERS", 2],
    [409, "RENEWAL_IN_FLIGHT", 2],
    [401, "UNAUTHORIZED", 2],
    [429, "RATE_LIMITED", 1],
    [503, "CA_UNAVAILABLE", 1],
  ])("an answer %i %s is shown as code: message, exit %i", async (status, errorCode, exit) => {
    const service = fakeService(
      () => ({ status, json: { error: { code: errorCode, message: "It says why." } } }),
      ENV,
    );
    const { io, stderr, out } = fakeIo();

    expect(await orderCommandWith(service.context).run(BASE, io)).toBe(exit);
    expect(stderr()).toBe(`${errorCode}: It says why.`);
    expect(out).toEqual([]);
  });

  it("an answer that is not the API's own error shape still shows a code", async () => {
    const service = fakeService(
      () => ({ status: 502, json: { message: "Internal server error" } }),
      ENV,
    );
    const { io, stderr } = fakeIo();

    expect(await orderCommandWith(service.context).run(BASE, io)).toBe(1);
    expect(stderr()).toBe("HTTP_502: Internal server error");
  });

  it("no service at the URL: says where it looked (exit 2)", async () => {
    const service = fakeService(() => undefined, ENV);
    const context = {
      ...service.context,
      fetch: (async () => {
        throw new TypeError("fetch failed");
      }) as typeof fetch,
    };
    const { io, stderr } = fakeIo();

    expect(await orderCommandWith(context).run(BASE, io)).toBe(2);
    expect(stderr()).toContain("NO_SERVICE: no service answers at http://127.0.0.1:3000.");
  });
});
