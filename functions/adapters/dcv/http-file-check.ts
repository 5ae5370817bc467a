import {
  ADDRESS_SCOPE_DESCRIPTIONS,
  addressScope,
  mayConnectTo,
} from "../../domain/address-scope.ts";
import type { CheckOutcome } from "../../ports/dcv-checker.ts";
import { dnsFailureOutcome } from "./dns-failure-detail.ts";
import { type DnsLookup, DnsLookupFailure } from "./dns-lookup.ts";
import { type FetchedResponse, fetchWithoutRedirects } from "./http-fetch.ts";
import { compareFileContent, describeDifference } from "./value-comparison.ts";

// Not `import … from "node:http"`: see http-fetch.ts.
const { STATUS_CODES } = process.getBuiltinModule("node:http");

export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpFileCheckOptions {
  readonly dns: DnsLookup;
  /** Port to connect to instead of the URL's (a local web server standing in for port 80). */
  readonly httpPort?: number;
  readonly timeoutMs: number;
  /** Accept the content followed by whitespace (ACME http-01), instead of TRAILING_NEWLINE. */
  readonly trailingWhitespaceAllowed?: boolean;
  /**
   * Connect to loopback addresses (127.0.0.0/8, ::1) too: only on a developer's machine, where
   * the demo and the tests publish on 127.0.0.1. Every other address off the public internet is
   * always refused.
   */
  readonly allowLoopback?: boolean;
}

const errorCode = (error: unknown): string | undefined =>
  error instanceof Error && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined;

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

const CUT_CONNECTION = new Set(["ECONNRESET", "EPIPE"]);
const UNREACHABLE = new Set(["EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "EHOSTDOWN"]);

/**
 * The file at `url` must be served directly (2xx, no redirect) with exactly `content`. Only public
 * addresses are connected to (loopback too when allowed). Outcomes describe what was found (status,
 * lengths, where it differs) and never repeat the fetched bytes, a redirect's target or the
 * address the name resolved to.
 */
export async function checkHttpFile(
  url: string,
  content: string,
  options: HttpFileCheckOptions,
): Promise<CheckOutcome> {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:") {
    throw new Error(`Validation file URL must use http: ${url}`);
  }
  const started = Date.now();
  const hostName = parsed.hostname.replace(/^\[(.*)\]$/, "$1");

  let address: string;
  try {
    address = await options.dns.address(hostName);
  } catch (error) {
    if (error instanceof DnsLookupFailure) {
      return dnsFailureOutcome(error, "A or AAAA record", hostName, options.timeoutMs);
    }
    throw error;
  }

  if (!mayConnectTo(address, { allowLoopback: options.allowLoopback === true })) {
    const scope = addressScope(address);
    const what = scope === undefined ? "an unusable" : ADDRESS_SCOPE_DESCRIPTIONS[scope];
    return {
      ok: false,
      cause: "ADDRESS_NOT_PUBLIC",
      detail:
        `${hostName} resolves to ${what} address, which is not on the public internet: ` +
        `nothing was fetched from it. Point the name's A or AAAA record at the public web server that serves ${url}.`,
    };
  }

  const port = options.httpPort ?? (parsed.port === "" ? 80 : Number(parsed.port));
  const where = `${hostName} (port ${port})`;
  const remainingMs = options.timeoutMs - (Date.now() - started);
  const timedOut: CheckOutcome = {
    ok: false,
    cause: "TIMEOUT",
    detail: `No complete answer from ${where} within ${seconds(options.timeoutMs)} when fetching ${url}.`,
  };
  if (remainingMs <= 0) return timedOut;

  let response: FetchedResponse;
  try {
    response = await fetchWithoutRedirects({
      address,
      port,
      hostHeader: parsed.host,
      path: `${parsed.pathname}${parsed.search}`,
      timeoutMs: remainingMs,
      maxBodyBytes: MAX_BODY_BYTES,
    });
  } catch (error) {
    const code = errorCode(error) ?? "unknown error";
    if (code === "ETIMEDOUT") return timedOut;
    if (code === "ECONNREFUSED") {
      return {
        ok: false,
        cause: "CONNECTION_REFUSED",
        detail: `Connection refused by ${where} when fetching ${url}: no web server is listening there.`,
      };
    }
    if (code.startsWith("HPE_")) {
      return {
        ok: false,
        cause: "HTTP_STATUS",
        detail: `${where} did not answer ${url} with valid HTTP (${code}).`,
      };
    }
    const why = CUT_CONNECTION.has(code)
      ? "closed the connection before answering"
      : UNREACHABLE.has(code)
        ? "could not be reached"
        : "could not be fetched from";
    return {
      ok: false,
      cause: "CONNECTION_REFUSED",
      detail: `${where} ${why} when fetching ${url} (${code}).`,
    };
  }

  const { status } = response;
  const statusLine = `${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ""}`;
  if (status >= 300 && status <= 399) {
    return {
      ok: false,
      cause: "REDIRECTED",
      detail:
        `${url} answered ${statusLine}, a redirect. ` +
        "The file must be served directly with status 200: redirects are not followed.",
    };
  }
  if (status < 200 || status > 299) {
    return {
      ok: false,
      cause: "HTTP_STATUS",
      detail: `${url} answered HTTP ${statusLine}; it must answer 200 with the file content.`,
    };
  }

  const found = response.body.toString("utf8");
  switch (compareFileContent(found, content)) {
    case "equal":
      return { ok: true };
    case "trailing-whitespace": {
      if (options.trailingWhitespaceAllowed === true) return { ok: true };
      const extra = found.slice(content.length);
      const what = /[\r\n]/.test(extra) ? "trailing newline" : "trailing whitespace";
      const count = Array.from(extra).length;
      return {
        ok: false,
        cause: "TRAILING_NEWLINE",
        detail:
          `The file at ${url} has the right content followed by ${count} whitespace character${count === 1 ? "" : "s"}. ` +
          `Remove the ${what}: the file must end right after the last character of the value.`,
      };
    }
    case "different":
      return {
        ok: false,
        cause: "WRONG_VALUE",
        detail: `The file at ${url} does not match the expected content: ${describeDifference(found, content, response.truncated)}.`,
      };
  }
}
