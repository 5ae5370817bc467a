import { createServer, type Server } from "node:http";
import { Socket } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createNetworkDcvChecker } from "../../../../functions/adapters/dcv/network-dcv-checker.ts";
import { dcv as awsDcvChecker } from "../../../../functions/lambda/providers/dcv.ts";
import type { CheckOutcome } from "../../../../functions/ports/dcv-checker.ts";
import {
  type CustomerDnsServer,
  startCustomerDnsServer,
} from "../../../../infra/local/customer-dns-server.ts";

const site = "internal.certflow.test";
const path = "/.well-known/pki-validation/FILE.txt";
const url = `http://${site}${path}`;
const content = "expected-content";

/** Only these are ever really connected to; any other connection attempt is stopped and noted. */
const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

let dns: CustomerDnsServer;
let web: Server;
let webPort: number;
let requestsSeen: string[];
let connectAttempts: string[];

beforeAll(async () => {
  dns = await startCustomerDnsServer({ host: "127.0.0.1", port: 0 });
  web = createServer((request, response) => {
    requestsSeen.push(`${request.headers.host} ${request.url}`);
    response.end(content);
  });
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  const address = web.address();
  if (address === null || typeof address === "string") throw new Error("no TCP port");
  webPort = address.port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => web?.close(() => resolve()));
  await dns?.close();
});

beforeEach(() => {
  requestsSeen = [];
  connectAttempts = [];
  dns.clear();
  // Every TCP connection the check opens goes through Socket#connect: note each one, and never
  // let traffic leave for an address outside loopback.
  const connect = Socket.prototype.connect;
  vi.spyOn(Socket.prototype, "connect").mockImplementation(function (
    this: Socket,
    ...args: unknown[]
  ) {
    // net.createConnection hands connect its arguments already normalized, as one array.
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const host = (first as { host?: string } | undefined)?.host ?? "";
    connectAttempts.push(host);
    if (LOOPBACK.has(host)) return (connect as (...a: unknown[]) => Socket).apply(this, args);
    process.nextTick(() =>
      this.destroy(Object.assign(new Error("stopped by the test"), { code: "EHOSTUNREACH" })),
    );
    return this;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const checkWith = (allowLoopback: boolean): Promise<CheckOutcome> =>
  createNetworkDcvChecker({
    resolver: dns.address,
    httpPort: webPort,
    timeoutMs: 2_000,
    allowLoopback,
  }).check({ kind: "http-file", url, content });

describe("http-file checks to addresses off the public internet", () => {
  it.each([
    ["A", "127.0.0.1"],
    ["A", "10.0.0.1"],
    ["A", "169.254.169.254"],
    ["AAAA", "::1"],
    ["AAAA", "::ffff:127.0.0.1"],
  ] as const)(
    "refuse a name whose %s record is %s with ADDRESS_NOT_PUBLIC, fetching nothing",
    async (type, address) => {
      // Prepare
      if (type === "A") dns.setA(site, address);
      else dns.setAaaa(site, address);

      // Act
      const outcome = await checkWith(false);

      // Assess
      expect(outcome).toMatchObject({ ok: false, cause: "ADDRESS_NOT_PUBLIC" });
      expect(connectAttempts).toEqual([]);
      expect(requestsSeen).toEqual([]);
      expect(outcome.ok ? "" : outcome.detail).not.toContain(address);
    },
  );

  it.each([
    ["A", "10.0.0.1"],
    ["A", "169.254.169.254"],
    ["A", "100.64.0.1"],
    ["AAAA", "fd00:ec2::254"],
    ["AAAA", "fe80::1"],
    ["AAAA", "::ffff:10.0.0.1"],
  ] as const)("refuse %s %s even where loopback is allowed", async (type, address) => {
    // Prepare
    if (type === "A") dns.setA(site, address);
    else dns.setAaaa(site, address);

    // Act
    const outcome = await checkWith(true);

    // Assess
    expect(outcome).toMatchObject({ ok: false, cause: "ADDRESS_NOT_PUBLIC" });
    expect(connectAttempts).toEqual([]);
  });

  it("fetch from loopback where it is allowed (the local host's default)", async () => {
    // Prepare
    dns.setA(site, "127.0.0.1");

    // Act
    const outcome = await checkWith(true);

    // Assess
    expect(outcome).toEqual({ ok: true });
    expect(requestsSeen).toEqual([`${site} ${path}`]);
  });

  it("never fetch from loopback with the AWS host's checker", async () => {
    // Prepare
    const checker = awsDcvChecker();

    // Act
    const outcome = await checker.check({
      kind: "http-file",
      url: `http://127.0.0.1:${webPort}${path}`,
      content,
    });

    // Assess
    expect(outcome).toMatchObject({ ok: false, cause: "ADDRESS_NOT_PUBLIC" });
    expect(connectAttempts).toEqual([]);
    expect(requestsSeen).toEqual([]);
  });
});
