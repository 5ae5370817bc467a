import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export interface StubAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** Paths of the stub's resources, relative to its base URL. */
export const STUB_PATHS = {
  directory: "/directory",
  newNonce: "/nonce",
  newAccount: "/account",
  newOrder: "/order",
  order: "/order/1",
  authorization: "/authz/1",
  finalize: "/order/1/finalize",
} as const;

function jwsPayload(body: string): unknown {
  if (body === "") return undefined;
  const { payload } = JSON.parse(body) as { payload?: string };
  if (payload === undefined || payload === "") return undefined;
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
}

/**
 * A minimal ACME server over plain HTTP on loopback that answers what a test sets per path
 * (it checks no signatures): for the adapter's handling of answers Pebble does not give, such
 * as Retry-After on orders, rate limits and 5xx.
 */
export async function startStubAcmeCa() {
  let nonce = 0;
  const overrides = new Map<string, StubAnswer>();
  const oneShot = new Map<string, StubAnswer[]>();
  const requests: string[] = [];
  const payloads: { path: string; payload: unknown }[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      requests.push(`${request.method} ${path}`);
      const payload = jwsPayload(Buffer.concat(chunks).toString("utf8"));
      if (payload !== undefined) payloads.push({ path, payload });
      const answer = oneShot.get(path)?.shift() ?? overrides.get(path) ?? defaultAnswer(path);
      nonce += 1;
      response.writeHead(answer.status, {
        "Replay-Nonce": `nonce-${nonce}`,
        "Content-Type": answer.status >= 400 ? "application/problem+json" : "application/json",
        ...answer.headers,
      });
      response.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${port}`;

  const order = (status: string) => ({
    status,
    identifiers: [{ type: "dns", value: "stub.certflow.test" }],
    authorizations: [`${baseUrl}${STUB_PATHS.authorization}`],
    finalize: `${baseUrl}${STUB_PATHS.finalize}`,
  });

  function defaultAnswer(path: string): StubAnswer {
    switch (path) {
      case STUB_PATHS.directory:
        return {
          status: 200,
          body: {
            newNonce: `${baseUrl}${STUB_PATHS.newNonce}`,
            newAccount: `${baseUrl}${STUB_PATHS.newAccount}`,
            newOrder: `${baseUrl}${STUB_PATHS.newOrder}`,
            revokeCert: `${baseUrl}/revoke`,
            keyChange: `${baseUrl}/key-change`,
          },
        };
      case STUB_PATHS.newNonce:
        return { status: 200 };
      case STUB_PATHS.newAccount:
        return {
          status: 201,
          headers: { Location: `${baseUrl}/account/1` },
          body: { status: "valid" },
        };
      case STUB_PATHS.newOrder:
        return {
          status: 201,
          headers: { Location: `${baseUrl}${STUB_PATHS.order}` },
          body: order("pending"),
        };
      case STUB_PATHS.order:
        return { status: 200, body: order("pending") };
      case STUB_PATHS.authorization:
        return {
          status: 200,
          body: {
            identifier: { type: "dns", value: "stub.certflow.test" },
            status: "pending",
            challenges: [
              { type: "dns-01", url: `${baseUrl}/chall/1`, token: "stub-token", status: "pending" },
            ],
          },
        };
      default:
        return {
          status: 404,
          body: { type: "urn:ietf:params:acme:error:malformed", detail: `no ${path}` },
        };
    }
  }

  return {
    directoryUrl: `${baseUrl}${STUB_PATHS.directory}`,
    orderUrl: `${baseUrl}${STUB_PATHS.order}`,
    order,
    /** An answer with the order in `status`, and a Retry-After header when one is given. */
    orderAnswer(status: string, retryAfter?: string): StubAnswer {
      const headers: Record<string, string> = retryAfter ? { "Retry-After": retryAfter } : {};
      return { status: 200, headers, body: order(status) };
    },
    /** Answers `path` with `answer` from now on. */
    answer(path: string, answer: StubAnswer) {
      overrides.set(path, answer);
    },
    /** Answers the next request to `path` with `answer`, before any answer set with answer(). */
    answerOnce(path: string, answer: StubAnswer) {
      oneShot.set(path, [...(oneShot.get(path) ?? []), answer]);
    },
    requests: () => [...requests],
    /** The decoded payloads of signed requests that carried one (not POST-as-GET). */
    payloads: () => [...payloads],
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
