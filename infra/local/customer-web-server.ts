import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface CustomerWebServerOptions {
  readonly host?: string;
  readonly port?: number;
}

export interface PublishOptions {
  /** Status to answer with; 200, or 302 when `redirectTo` is given. */
  readonly status?: number;
  /** Answers with a Location header pointing here. */
  readonly redirectTo?: string;
}

/** A web server playing the customer's sites: serves what was published per Host header. */
export interface CustomerWebServer {
  readonly port: number;
  /** "http://HOST:PORT" of the server itself. */
  readonly url: string;
  publish(hostName: string, path: string, content: string, options?: PublishOptions): void;
  unpublish(hostName: string, path: string): void;
  close(): Promise<void>;
}

interface PublishedFile {
  readonly content: string;
  readonly status: number;
  readonly location: string | undefined;
}

/** The host name of a Host header, without port or IPv6 brackets, lower-cased. */
export function hostNameOfHeader(header: string): string {
  const bracketed = /^\[([^\]]*)\]/.exec(header);
  const name = bracketed?.[1] ?? header.replace(/:\d*$/, "");
  return name.toLowerCase().replace(/\.$/, "");
}

const keyOf = (hostName: string, path: string) => `${hostNameOfHeader(hostName)} ${path}`;

export async function startCustomerWebServer(
  options: CustomerWebServerOptions = {},
): Promise<CustomerWebServer> {
  const host = options.host ?? "127.0.0.1";
  const files = new Map<string, PublishedFile>();

  const serve = (request: IncomingMessage, response: ServerResponse) => {
    const hostName = request.headers.host ?? "";
    const target = request.url ?? "/";
    const pathOnly = target.split("?")[0] ?? target;
    const file = files.get(keyOf(hostName, target)) ?? files.get(keyOf(hostName, pathOnly));
    const body = file?.content ?? `Nothing published at ${hostNameOfHeader(hostName)}${pathOnly}`;
    const headers: Record<string, string | number> = {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Length": Buffer.byteLength(body),
    };
    if (file?.location !== undefined) headers.Location = file.location;
    response.writeHead(file?.status ?? 404, headers);
    response.end(request.method === "HEAD" ? undefined : body);
  };

  const server = createServer(serve);
  server.listen(options.port ?? 0, host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    port,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    publish(hostName, path, content, publishOptions = {}) {
      const location = publishOptions.redirectTo;
      const status = publishOptions.status ?? (location === undefined ? 200 : 302);
      files.set(keyOf(hostName, path), { content, status, location });
    },
    unpublish(hostName, path) {
      files.delete(keyOf(hostName, path));
    },
    close() {
      closing ??= new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closing;
    },
  };
}
