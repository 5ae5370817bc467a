import type { LookupFunction } from "node:net";
import {
  ADDRESS_SCOPE_DESCRIPTIONS,
  addressScope,
  mayConnectTo,
} from "../../domain/address-scope.ts";
import { isIpv6Literal } from "../../domain/ip-literal.ts";
import {
  parseWebhookUrl,
  RESPONSE_EXCERPT_CHARACTERS,
  WEBHOOK_TIMEOUT_MS,
} from "../../domain/webhook-rules.ts";
import type {
  EndpointCheck,
  EndpointRefusal,
  WebhookAnswer,
  WebhookClient,
  WebhookRequest,
} from "../../ports/webhook-client.ts";
import { type DnsLookup, DnsLookupFailure } from "../dcv/dns-lookup.ts";

// Not `import … from "node:http(s)"`: see functions/adapters/dcv/http-fetch.ts.
const http = process.getBuiltinModule("node:http");
const https = process.getBuiltinModule("node:https");

export interface NetworkWebhookClientOptions {
  readonly dns: DnsLookup;
  /**
   * Loopback receivers (127.0.0.0/8, ::1), over plain http too: a developer's machine only, by
   * the setting that lets DCV checks reach loopback. Every other address off the public
   * internet is always refused.
   */
  readonly allowLoopback: boolean;
  readonly timeoutMs?: number;
  /** Extra roots to trust for receivers' HTTPS (tests); the system's roots always count. */
  readonly extraCaPem?: string;
}

/** How much of an answer is read for its excerpt; the rest is never read. */
const READ_AT_MOST_BYTES = 4096;

const errorCode = (error: unknown): string =>
  error instanceof Error && "code" in error && typeof error.code === "string"
    ? error.code
    : "UNKNOWN";

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH)/;

function causeOf(code: string): string {
  if (code === "ETIMEDOUT") return "TIMEOUT";
  if (code === "ECONNREFUSED") return "CONNECTION_REFUSED";
  if (code === "ECONNRESET" || code === "EPIPE") return "CONNECTION_RESET";
  if (TLS_CODES.test(code)) return "TLS_ERROR";
  if (code.startsWith("HPE_")) return "INVALID_HTTP";
  return "NETWORK_ERROR";
}

/** Retry-After in seconds (a number or an HTTP date), or undefined. */
export function retryAfterSeconds(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

class Timeout extends Error {
  readonly code = "ETIMEDOUT";
}

/**
 * Delivers webhooks over the network: the URL's name is looked up once per attempt, the address
 * judged by the hardening rules (public only; loopback where allowed) and exactly that address
 * connected to, so a name that changes between the check and the connection changes nothing.
 * TLS is verified against the URL's name; redirects are not followed.
 */
export function createNetworkWebhookClient(options: NetworkWebhookClientOptions): WebhookClient {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;

  async function resolve(
    text: string,
  ): Promise<
    { ok: true; url: URL; address: string } | { ok: false; cause: EndpointRefusal; detail: string }
  > {
    const parsed = parseWebhookUrl(text, { allowHttp: options.allowLoopback });
    if ("problem" in parsed) {
      return { ok: false, cause: parsed.problem.code, detail: parsed.problem.message };
    }
    const { url } = parsed;
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    let address: string;
    try {
      address = await options.dns.address(host);
    } catch (error) {
      if (!(error instanceof DnsLookupFailure)) throw error;
      const cause: EndpointRefusal =
        error.failure === "NXDOMAIN"
          ? "NXDOMAIN"
          : error.failure === "NO_RECORD"
            ? "NO_RECORD"
            : error.failure === "SERVFAIL"
              ? "DNS_SERVFAIL"
              : "TIMEOUT";
      return {
        ok: false,
        cause,
        detail: `${host} has no address the service could look up (${error.failure}).`,
      };
    }
    const scope = addressScope(address);
    if (!mayConnectTo(address, { allowLoopback: options.allowLoopback })) {
      const what = scope === undefined ? "an unusable" : ADDRESS_SCOPE_DESCRIPTIONS[scope];
      return {
        ok: false,
        cause: "ADDRESS_NOT_PUBLIC",
        detail: `${host} resolves to ${what} address, which is not on the public internet: deliveries go to public addresses only.`,
      };
    }
    if (url.protocol === "http:" && scope !== "loopback") {
      return {
        ok: false,
        cause: "URL_NOT_HTTPS",
        detail: "url must use https: plain http is only for loopback test receivers.",
      };
    }
    return { ok: true, url, address };
  }

  return {
    async checkEndpoint(url): Promise<EndpointCheck> {
      const resolved = await resolve(url);
      return resolved.ok ? { ok: true } : resolved;
    },

    async post(request: WebhookRequest): Promise<WebhookAnswer> {
      const started = Date.now();
      const elapsed = () => Date.now() - started;
      const resolved = await resolve(request.url);
      if (!resolved.ok) {
        return {
          kind: "failed",
          cause: resolved.cause,
          detail: resolved.detail,
          durationMs: elapsed(),
        };
      }
      const { url, address } = resolved;
      const family = isIpv6Literal(address) ? 6 : 4;
      // The connection goes to the address judged above, whatever the name resolves to now.
      const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
        if (lookupOptions.all === true) {
          (callback as (error: null, addresses: { address: string; family: number }[]) => void)(
            null,
            [{ address, family }],
          );
        } else {
          callback(null, address, family);
        }
      };
      const body = Buffer.from(request.body, "utf8");
      const module = url.protocol === "https:" ? https : http;
      return new Promise<WebhookAnswer>((resolvePromise) => {
        let settled = false;
        const finish = (answer: WebhookAnswer) => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          outgoing.destroy();
          resolvePromise(answer);
        };
        const fail = (error: unknown) => {
          const code = errorCode(error);
          finish({
            kind: "failed",
            cause: causeOf(code),
            detail:
              code === "ETIMEDOUT"
                ? `No answer from ${url.host} within ${timeoutMs / 1000} s.`
                : `The delivery to ${url.host} failed (${code}).`,
            durationMs: elapsed(),
          });
        };
        const outgoing = module.request(url, {
          method: "POST",
          agent: false,
          lookup,
          ...(options.extraCaPem === undefined
            ? {}
            : {
                ca: [...process.getBuiltinModule("node:tls").rootCertificates, options.extraCaPem],
              }),
          headers: {
            ...request.headers,
            "content-type": "application/json",
            "content-length": String(body.length),
            "user-agent": "certflow-webhooks",
            connection: "close",
          },
        });
        const deadline = setTimeout(() => fail(new Timeout()), timeoutMs);
        outgoing.on("error", fail);
        outgoing.on("response", (response) => {
          const statusCode = response.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let size = 0;
          const answered = () =>
            finish({
              kind: "answered",
              statusCode,
              durationMs: elapsed(),
              excerpt: Array.from(Buffer.concat(chunks).toString("utf8"))
                .slice(0, RESPONSE_EXCERPT_CHARACTERS)
                .join(""),
              ...(() => {
                const header = response.headers["retry-after"];
                const seconds = retryAfterSeconds(
                  Array.isArray(header) ? header[0] : header,
                  new Date(),
                );
                return seconds === undefined ? {} : { retryAfterSeconds: seconds };
              })(),
            });
          response.on("data", (chunk: Buffer) => {
            chunks.push(chunk.subarray(0, READ_AT_MOST_BYTES - size));
            size += chunk.length;
            if (size >= READ_AT_MOST_BYTES) answered();
          });
          response.on("end", answered);
          response.on("error", answered);
        });
        outgoing.end(body);
      });
    },
  };
}
