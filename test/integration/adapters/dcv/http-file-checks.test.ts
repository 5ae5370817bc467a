import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createNetworkDcvChecker } from "../../../../functions/adapters/dcv/network-dcv-checker.ts";
import type { CheckOutcome, DcvChecker } from "../../../../functions/ports/dcv-checker.ts";
import {
  type CustomerDnsServer,
  startCustomerDnsServer,
} from "../../../../infra/local/customer-dns-server.ts";
import {
  type CustomerWebServer,
  startCustomerWebServer,
} from "../../../../infra/local/customer-web-server.ts";
import { closedTcpPort, startMuteTcpServer } from "./support/silent-servers.ts";

const site = "shop.certflow.test";
const path = "/.well-known/pki-validation/C5704CE6BB76F223420F371E8346A609.txt";
const url = `http://${site}${path}`;
const content = "4d3c2b1a0f9e8d7c6b5a49382716f5e4\ncomodoca.com\nabc123";

let dns: CustomerDnsServer;
let web: CustomerWebServer;
let mute: Awaited<ReturnType<typeof startMuteTcpServer>>;
let checker: DcvChecker;

const fileCheck = (target = url, expected = content) =>
  checker.check({ kind: "http-file", url: target, content: expected });

const detailOf = (outcome: CheckOutcome) => (outcome.ok ? "" : outcome.detail);

beforeAll(async () => {
  dns = await startCustomerDnsServer({ host: "127.0.0.1", port: 0 });
  web = await startCustomerWebServer({ host: "127.0.0.1", port: 0 });
  mute = await startMuteTcpServer();
  checker = createNetworkDcvChecker({
    resolver: dns.address,
    httpPort: web.port,
    timeoutMs: 2_000,
    allowLoopback: true,
  });
});

afterAll(async () => {
  await web?.close();
  await dns?.close();
  await mute?.close();
});

beforeEach(() => {
  dns.clear();
  dns.setA(site, "127.0.0.1");
  web.unpublish(site, path);
});

describe("http-file checks", () => {
  it("pass when the file is served with exactly the content, for the URL's Host", async () => {
    web.publish(site, path, content);
    expect(await fileCheck()).toEqual({ ok: true });
    // The same file under another host name is not this site's file.
    dns.setA("other.certflow.test", "127.0.0.1");
    expect(await fileCheck(`http://other.certflow.test${path}`)).toMatchObject({
      cause: "HTTP_STATUS",
    });
  });

  it("keep the query string of the URL", async () => {
    web.publish(site, `${path}?v=2`, content);
    expect(await fileCheck(`${url}?v=2`)).toEqual({ ok: true });
  });

  it("connect to the URL's own port when no validation port is configured", async () => {
    web.publish(site, path, content);
    const byUrl = createNetworkDcvChecker({
      resolver: dns.address,
      timeoutMs: 2_000,
      allowLoopback: true,
    });
    const outcome = await byUrl.check({
      kind: "http-file",
      url: `http://${site}:${web.port}${path}`,
      content,
    });
    expect(outcome).toEqual({ ok: true });
  });

  it("fall back to the AAAA record when the host has no A record", async () => {
    dns.remove(site);
    dns.setAaaa(site, "::1");
    const outcome = await fileCheck();
    // Nothing of ours listens on [::1]: the check must have tried to connect there.
    expect(outcome).toMatchObject({ ok: false, cause: "CONNECTION_REFUSED" });
    expect(detailOf(outcome)).toContain(site);
    expect(detailOf(outcome)).not.toContain("::1");
  });

  it("report NXDOMAIN when the host name does not exist", async () => {
    dns.remove(site);
    const outcome = await fileCheck();
    expect(outcome).toMatchObject({ ok: false, cause: "NXDOMAIN" });
    expect(detailOf(outcome)).toContain(site);
  });

  it("report NO_RECORD when the host has neither A nor AAAA record", async () => {
    dns.remove(site);
    dns.setTxt(site, ["v=spf1 -all"]);
    const outcome = await fileCheck();
    expect(outcome).toMatchObject({ ok: false, cause: "NO_RECORD" });
    expect(detailOf(outcome)).toContain("A or AAAA");
  });

  it("report WRONG_VALUE with the lengths and where the file differs, never what it holds", async () => {
    web.publish(site, path, `${content.slice(0, 40)}SECRET-INTERNAL-PAGE`);
    const outcome = await fileCheck();
    expect(outcome).toMatchObject({ ok: false, cause: "WRONG_VALUE" });
    expect(detailOf(outcome)).toContain(url);
    expect(detailOf(outcome)).toContain(
      `it has 60 characters where ${content.length} characters are expected; it first differs at character 41 (line 2, column 8)`,
    );
    expect(detailOf(outcome)).not.toContain("SECRET");
    expect(detailOf(outcome)).not.toContain(content.slice(0, 20));
  });

  it("read no more than 64 KiB of a large file", async () => {
    web.publish(site, path, "z".repeat(200 * 1024));
    const outcome = await fileCheck();
    expect(outcome).toMatchObject({ ok: false, cause: "WRONG_VALUE" });
    expect(detailOf(outcome)).toContain("more than 64 KiB");
  });

  it.each([
    ["\n", "trailing newline"],
    ["\r\n", "trailing newline"],
    [" \n\n", "trailing newline"],
    ["  ", "trailing whitespace"],
  ])("report TRAILING_NEWLINE for content followed by %j", async (extra, advice) => {
    web.publish(site, path, content + extra);
    const outcome = await fileCheck();
    expect(outcome).toMatchObject({ ok: false, cause: "TRAILING_NEWLINE" });
    expect(detailOf(outcome)).toContain(`Remove the ${advice}`);
    expect(detailOf(outcome)).toContain(`followed by ${extra.length} whitespace character`);
  });

  it("accept trailing whitespace where the CA ignores it (ACME http-01), and nothing else", async () => {
    web.publish(site, path, `${content}\r\n`);
    const acmeStyle = { kind: "http-file" as const, url, content, trailingWhitespaceAllowed: true };
    expect(await checker.check(acmeStyle)).toEqual({ ok: true });
    web.publish(site, path, `${content}x\n`);
    expect(await checker.check(acmeStyle)).toMatchObject({ ok: false, cause: "WRONG_VALUE" });
  });

  it.each([301, 302, 307, 308])(
    "report REDIRECTED for a %i, without repeating the Location",
    async (status) => {
      web.publish(site, path, "", { status, redirectTo: "http://169.254.169.254/latest/" });
      const outcome = await fileCheck();
      expect(outcome).toMatchObject({ ok: false, cause: "REDIRECTED" });
      expect(detailOf(outcome)).not.toContain("169.254");
      expect(detailOf(outcome)).toContain(String(status));
    },
  );

  it.each([
    [404, "404 Not Found"],
    [500, "500 Internal Server Error"],
  ])("report HTTP_STATUS for a %i", async (status, statusLine) => {
    if (status !== 404) web.publish(site, path, content, { status });
    const outcome = await fileCheck();
    expect(outcome).toMatchObject({ ok: false, cause: "HTTP_STATUS" });
    expect(detailOf(outcome)).toContain(statusLine);
  });

  it("report CONNECTION_REFUSED when nothing listens on the port", async () => {
    const port = await closedTcpPort();
    const refused = createNetworkDcvChecker({
      resolver: dns.address,
      httpPort: port,
      allowLoopback: true,
    });
    const outcome = await refused.check({ kind: "http-file", url, content });
    expect(outcome).toMatchObject({ ok: false, cause: "CONNECTION_REFUSED" });
    expect(detailOf(outcome)).toContain(`${site} (port ${port})`);
    expect(detailOf(outcome)).not.toContain("127.0.0.1");
  });

  it("report TIMEOUT when the web server accepts but never answers", async () => {
    const hanging = createNetworkDcvChecker({
      resolver: dns.address,
      httpPort: mute.port,
      timeoutMs: 300,
      allowLoopback: true,
    });
    const started = Date.now();
    const outcome = await hanging.check({ kind: "http-file", url, content });
    expect(outcome).toMatchObject({ ok: false, cause: "TIMEOUT" });
    expect(detailOf(outcome)).toContain(url);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("connect straight to an IP-literal host without any resolver", async () => {
    web.publish("127.0.0.1", path, content);
    const direct = createNetworkDcvChecker({ timeoutMs: 2_000, allowLoopback: true });
    const outcome = await direct.check({
      kind: "http-file",
      url: `http://127.0.0.1:${web.port}${path}`,
      content,
    });
    expect(outcome).toEqual({ ok: true });
  });
});
