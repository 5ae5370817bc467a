import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DnsLookup } from "../../../../functions/adapters/dcv/dns-lookup.ts";
import { createNetworkWebhookClient } from "../../../../functions/adapters/webhooks/network-webhook-client.ts";

/** Names as the test's DNS answers them: each lookup takes the next answer of its name. */
function fakeDns(answers: Record<string, string[]>): DnsLookup {
  const unused = async (): Promise<never> => {
    throw new Error("not used");
  };
  return {
    txt: unused,
    cname: unused,
    ns: unused,
    async address(name) {
      if (/^[\d.]+$/.test(name) || name.includes(":")) return name;
      const list = answers[name];
      const next = list?.length === 1 ? list[0] : list?.shift();
      if (next === undefined) throw new Error(`no answer for ${name}`);
      return next;
    },
  };
}

interface Seen {
  readonly request: IncomingMessage;
  readonly body: string;
}

const work = mkdtempSync(join(tmpdir(), "certflow-webhook-client-"));
const seen: Seen[] = [];
let reply: (request: IncomingMessage, response: import("node:http").ServerResponse) => void;
let http: Server;
let https: Server;
let httpPort: number;
let httpsPort: number;
let caPem: string;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

beforeAll(async () => {
  // A receiver certificate for hooks.certflow.test, self-signed: the client trusts it as an extra root.
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      join(work, "key.pem"),
      "-out",
      join(work, "cert.pem"),
      "-days",
      "2",
      "-subj",
      "/CN=hooks.certflow.test",
      "-addext",
      "subjectAltName=DNS:hooks.certflow.test",
    ],
    { stdio: "ignore" },
  );
  caPem = readFileSync(join(work, "cert.pem"), "utf8");
  const handler = (request: IncomingMessage, response: import("node:http").ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      seen.push({ request, body: Buffer.concat(chunks).toString("utf8") });
      reply(request, response);
    });
  };
  http = createHttpServer(handler);
  https = createHttpsServer(
    { key: readFileSync(join(work, "key.pem")), cert: caPem },
    handler,
  ) as unknown as Server;
  httpPort = await listen(http);
  httpsPort = await listen(https);
});

afterAll(async () => {
  http?.closeAllConnections();
  https?.closeAllConnections();
  await new Promise((resolve) => http?.close(resolve));
  await new Promise((resolve) => https?.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

const request = (url: string) => ({
  url,
  headers: { "webhook-id": "msg_1", "webhook-timestamp": "1", "webhook-signature": "v1,x" },
  body: '{"type":"webhook.ping"}',
});

describe("the network webhook client", () => {
  it("POSTs the body with the signed headers to a loopback receiver where loopback is allowed", async () => {
    // Prepare
    reply = (_request, response) => {
      response.writeHead(503, { "retry-after": "120" });
      response.end("é".repeat(500));
    };
    const client = createNetworkWebhookClient({ dns: fakeDns({}), allowLoopback: true });

    // Act
    const answer = await client.post(request(`http://127.0.0.1:${httpPort}/hooks?x=1`));

    // Assess
    expect(answer).toMatchObject({ kind: "answered", statusCode: 503, retryAfterSeconds: 120 });
    if (answer.kind !== "answered") throw new Error("no answer");
    expect(Array.from(answer.excerpt)).toHaveLength(200);
    const last = seen.at(-1);
    expect(last?.request.method).toBe("POST");
    expect(last?.request.url).toBe("/hooks?x=1");
    expect(last?.request.headers).toMatchObject({
      "webhook-id": "msg_1",
      "webhook-signature": "v1,x",
      "content-type": "application/json",
      "user-agent": "certflow-webhooks",
    });
    expect(last?.body).toBe('{"type":"webhook.ping"}');
  });

  it("verifies the receiver's certificate against the URL's name, connecting to the address it checked", async () => {
    reply = (_request, response) => {
      response.writeHead(204);
      response.end();
    };
    const dns = fakeDns({
      "hooks.certflow.test": ["127.0.0.1"],
      "other.certflow.test": ["127.0.0.1"],
    });
    const client = createNetworkWebhookClient({ dns, allowLoopback: true, extraCaPem: caPem });

    const good = await client.post(request(`https://hooks.certflow.test:${httpsPort}/in`));
    const wrongName = await client.post(request(`https://other.certflow.test:${httpsPort}/in`));
    const untrusted = await createNetworkWebhookClient({ dns, allowLoopback: true }).post(
      request(`https://hooks.certflow.test:${httpsPort}/in`),
    );

    expect(good).toMatchObject({ kind: "answered", statusCode: 204 });
    expect(seen.at(-1)?.request.headers.host).toBe(`hooks.certflow.test:${httpsPort}`);
    expect(wrongName).toMatchObject({ kind: "failed", cause: "TLS_ERROR" });
    expect(untrusted).toMatchObject({ kind: "failed", cause: "TLS_ERROR" });
  });

  it.each([
    ["https://10.1.2.3/hooks", "ADDRESS_NOT_PUBLIC", "private-network"],
    ["https://169.254.169.254/latest", "ADDRESS_NOT_PUBLIC", "cloud metadata"],
    ["https://[::ffff:192.168.1.1]/", "ADDRESS_NOT_PUBLIC", "private-network"],
    ["https://100.64.0.1/", "ADDRESS_NOT_PUBLIC", "carrier-grade NAT"],
    ["http://93.184.216.34/hooks", "URL_NOT_HTTPS", "https"],
  ])("refuses %s with %s before connecting, wherever it runs", async (url, cause, words) => {
    const client = createNetworkWebhookClient({ dns: fakeDns({}), allowLoopback: true });

    const check = await client.checkEndpoint(url);
    const answer = await client.post(request(url));

    expect(check).toMatchObject({ ok: false, cause });
    if (check.ok) throw new Error("accepted");
    expect(check.detail).toContain(words);
    expect(answer).toMatchObject({ kind: "failed", cause });
  });

  it("refuses loopback and plain http as the AWS deployment does (loopback not allowed)", async () => {
    const client = createNetworkWebhookClient({ dns: fakeDns({}), allowLoopback: false });

    expect(await client.checkEndpoint(`https://127.0.0.1:${httpsPort}/`)).toMatchObject({
      ok: false,
      cause: "ADDRESS_NOT_PUBLIC",
    });
    expect(await client.checkEndpoint(`http://127.0.0.1:${httpPort}/`)).toMatchObject({
      ok: false,
      cause: "URL_NOT_HTTPS",
    });
  });

  it("looks the name up again at each delivery: a name moved to a private address gets nothing", async () => {
    const before = seen.length;
    const dns = fakeDns({ "hooks.certflow.test": ["127.0.0.1", "10.0.0.7"] });
    const client = createNetworkWebhookClient({ dns, allowLoopback: true, extraCaPem: caPem });

    expect(await client.checkEndpoint(`https://hooks.certflow.test:${httpsPort}/`)).toEqual({
      ok: true,
    });
    const answer = await client.post(request(`https://hooks.certflow.test:${httpsPort}/`));

    expect(answer).toMatchObject({ kind: "failed", cause: "ADDRESS_NOT_PUBLIC" });
    expect(seen.length).toBe(before);
  });

  it("gives up on a receiver that does not answer in time, and names a refused connection", async () => {
    reply = () => undefined; // never answers
    const client = createNetworkWebhookClient({
      dns: fakeDns({}),
      allowLoopback: true,
      timeoutMs: 300,
    });

    const slow = await client.post(request(`http://127.0.0.1:${httpPort}/slow`));
    const closed = await client.post(request("http://127.0.0.1:1/nothing-listens"));

    expect(slow).toMatchObject({ kind: "failed", cause: "TIMEOUT" });
    expect(closed).toMatchObject({ kind: "failed", cause: "CONNECTION_REFUSED" });
  });
});
