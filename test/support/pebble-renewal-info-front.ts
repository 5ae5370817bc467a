import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { createServer, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CA_EXTENSIONS, newP256Certificate } from "./openssl-test-pki.ts";
import type { PebbleHandle } from "./pebble.ts";

/**
 * Pebble as a CA that speaks ACME Renewal Information (RFC 9773) and ACME profiles, which
 * Pebble 2.4 does not: an HTTPS front on 127.0.0.1 that passes every request to Pebble with its
 * Host header kept, adds `renewalInfo` and `meta.profiles` to the directory, answers
 * `{renewalInfo}/{CertID}` with the window a test sets, and records newOrder payloads.
 *
 * Keeping Host is what makes the front transparent: Pebble builds every URL it hands out
 * (directory, orders, authorizations, certificates) from the request's Host, and checks each
 * JWS's `url` against it, so clients keep talking to the front and their signatures hold.
 */
export interface RenewalInfoWindow {
  readonly start: string;
  readonly end: string;
  readonly explanationURL?: string;
  /** The Retry-After header the answer carries (none when left out). */
  readonly retryAfter?: string;
}

export interface PebbleRenewalInfoFront {
  /** The directory clients use: the front's own `/dir`. */
  readonly directoryUrl: string;
  /** Root of the front's HTTPS certificate, for CERTFLOW_ACME_CA_CERTS. */
  readonly httpsTrustPem: string;
  /** The profiles the directory offers from now on (name → description). */
  setProfiles(profiles: Readonly<Record<string, string>>): void;
  /** The window answered for `certId`; "*" for every CertID without one of its own. */
  setWindow(certId: string, window: RenewalInfoWindow): void;
  /** CertIDs asked for at `{renewalInfo}/{CertID}`, in order. */
  renewalInfoRequests(): string[];
  /** The decoded payloads of newOrder requests, in order (`identifiers`, `profile`, `replaces`). */
  newOrderPayloads(): Record<string, unknown>[];
  /** Requests the front passed on to Pebble. */
  forwardedCount(): number;
  stop(): Promise<void>;
}

const RENEWAL_INFO_PATH = "/renewal-info/";

/** Headers of one hop that do not travel to the next. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  }
  return kept;
}

function jwsPart(body: Buffer, part: "payload" | "protected"): Record<string, unknown> | undefined {
  try {
    const jws = JSON.parse(body.toString("utf8")) as Record<string, string | undefined>;
    const encoded = jws[part];
    if (encoded === undefined || encoded === "") return undefined;
    return JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

async function readBody(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: Buffer,
) {
  response.writeHead(status, { ...headers, "content-length": String(body.length) });
  response.end(body);
}

export async function startPebbleRenewalInfoFront(
  pebble: PebbleHandle,
): Promise<PebbleRenewalInfoFront> {
  const dir = await mkdtemp(join(tmpdir(), "certflow-ari-front-"));
  const root = await newP256Certificate(dir, "root", {
    subject: "/CN=certflow test ARI front root",
    extensions: CA_EXTENSIONS(),
  });
  const server = await newP256Certificate(dir, "front", {
    subject: "/CN=localhost",
    issuer: "root",
    extensions: [
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-addext",
      "extendedKeyUsage=serverAuth",
    ],
  });
  const pebbleUrl = new URL(pebble.directoryUrl);
  let profiles: Readonly<Record<string, string>> = {};
  const windows = new Map<string, RenewalInfoWindow>();
  const asked: string[] = [];
  const payloads: Record<string, unknown>[] = [];
  let newOrderUrl: string | undefined;
  let forwarded = 0;

  function answerRenewalInfo(certId: string, response: ServerResponse) {
    asked.push(certId);
    const window = windows.get(certId) ?? windows.get("*");
    if (window === undefined) {
      const problem = { type: "urn:ietf:params:acme:error:malformed", detail: "unknown CertID" };
      send(
        response,
        404,
        { "content-type": "application/problem+json" },
        Buffer.from(JSON.stringify(problem)),
      );
      return;
    }
    const body = {
      suggestedWindow: { start: window.start, end: window.end },
      ...(window.explanationURL === undefined ? {} : { explanationURL: window.explanationURL }),
    };
    send(
      response,
      200,
      {
        "content-type": "application/json",
        ...(window.retryAfter === undefined ? {} : { "retry-after": window.retryAfter }),
      },
      Buffer.from(JSON.stringify(body)),
    );
  }

  /** Passes the request on to Pebble, Host kept; the directory comes back with ARI and profiles. */
  async function forward(incoming: IncomingMessage, body: Buffer, response: ServerResponse) {
    forwarded += 1;
    const host = incoming.headers.host ?? "";
    if (incoming.method === "POST") {
      const url = jwsPart(body, "protected")?.url;
      const payload = jwsPart(body, "payload");
      if (url !== undefined && url === newOrderUrl && payload !== undefined) payloads.push(payload);
    }
    const answer = await new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = request(
        {
          host: pebbleUrl.hostname,
          port: pebbleUrl.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...endToEnd(incoming.headers), "content-length": String(body.length) },
          ca: pebble.httpsTrustPem,
          agent: false,
        },
        resolve,
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
    let answerBody = await readBody(answer);
    if (
      incoming.method === "GET" &&
      incoming.url === pebbleUrl.pathname &&
      answer.statusCode === 200
    ) {
      const directory = JSON.parse(answerBody.toString("utf8")) as Record<string, unknown>;
      newOrderUrl = typeof directory.newOrder === "string" ? directory.newOrder : undefined;
      directory.renewalInfo = `https://${host}${RENEWAL_INFO_PATH.slice(0, -1)}`;
      directory.meta = { ...(directory.meta as object | undefined), profiles };
      answerBody = Buffer.from(JSON.stringify(directory));
    }
    send(response, answer.statusCode ?? 502, endToEnd(answer.headers), answerBody);
  }

  const front = createServer(
    { key: await readFile(server.keyPath), cert: server.pem },
    (incoming, response) => {
      void (async () => {
        const body = await readBody(incoming);
        const path = incoming.url ?? "/";
        if (incoming.method === "GET" && path.startsWith(RENEWAL_INFO_PATH)) {
          answerRenewalInfo(decodeURIComponent(path.slice(RENEWAL_INFO_PATH.length)), response);
          return;
        }
        await forward(incoming, body, response);
      })().catch((error: unknown) => {
        if (!response.headersSent) {
          send(response, 502, { "content-type": "text/plain" }, Buffer.from(String(error)));
        } else {
          response.destroy();
        }
      });
    },
  );
  front.listen(0, "127.0.0.1");
  await once(front, "listening");
  const { port } = front.address() as { port: number };

  return {
    directoryUrl: `https://127.0.0.1:${port}${pebbleUrl.pathname}`,
    httpsTrustPem: root.pem,
    setProfiles(next) {
      profiles = { ...next };
    },
    setWindow(certId, window) {
      windows.set(certId, window);
    },
    renewalInfoRequests: () => [...asked],
    newOrderPayloads: () => [...payloads],
    forwardedCount: () => forwarded,
    async stop() {
      front.closeAllConnections();
      front.close();
      await once(front, "close");
      await rm(dir, { recursive: true, force: true });
    },
  };
}
