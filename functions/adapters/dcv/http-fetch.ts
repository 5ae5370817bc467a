// `import … from "node:http"` builds the module's ESM namespace, which reads every export,
// lazily loaded ones included (WebSocket and friends): tens of milliseconds when a function
// starts. The module object itself costs nothing more than what the AWS SDK already loaded.
const { request } = process.getBuiltinModule("node:http");

export interface FetchTarget {
  /** IP address to connect to. */
  readonly address: string;
  readonly port: number;
  /** Host header: the URL's host, whatever address was connected to. */
  readonly hostHeader: string;
  /** Path and query. */
  readonly path: string;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
}

export interface FetchedResponse {
  readonly status: number;
  readonly location: string | undefined;
  /** At most `maxBodyBytes`; only read for 2xx answers. */
  readonly body: Buffer;
  readonly truncated: boolean;
}

export class FetchTimeout extends Error {
  readonly code = "ETIMEDOUT";
}

/** One GET, no redirects followed, no connection reuse, everything within `timeoutMs`. */
export function fetchWithoutRedirects(target: FetchTarget): Promise<FetchedResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      outcome();
      outgoing.destroy();
    };
    const outgoing = request({
      host: target.address,
      port: target.port,
      path: target.path,
      method: "GET",
      agent: false,
      headers: {
        Host: target.hostHeader,
        Accept: "*/*",
        "User-Agent": "certflow-domain-validation",
        Connection: "close",
      },
    });
    const deadline = setTimeout(
      () =>
        finish(() => reject(new FetchTimeout(`No complete answer within ${target.timeoutMs} ms`))),
      target.timeoutMs,
    );
    outgoing.on("error", (error) => finish(() => reject(error)));
    outgoing.on("response", (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status < 200 || status > 299) {
        finish(() => resolve({ status, location, body: Buffer.alloc(0), truncated: false }));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        const room = target.maxBodyBytes - size;
        chunks.push(chunk.subarray(0, room));
        size += Math.min(chunk.length, room);
        if (chunk.length >= room) {
          finish(() =>
            resolve({
              status,
              location,
              body: Buffer.concat(chunks),
              truncated: chunk.length > room,
            }),
          );
        }
      });
      response.on("end", () =>
        finish(() => resolve({ status, location, body: Buffer.concat(chunks), truncated: false })),
      );
      response.on("error", (error) => finish(() => reject(error)));
    });
    outgoing.end();
  });
}
