import { STATUS_CODES } from "node:http";
import type { CheckOutcome } from "../../ports/dcv-checker.ts";
import { dnsFailureOutcome } from "./dns-failure-detail.ts";
import { type DnsLookup, DnsLookupFailure } from "./dns-lookup.ts";
import { type FetchedResponse, fetchWithoutRedirects } from "./http-fetch.ts";
import { compareFileContent, quoteFound } from "./value-comparison.ts";

export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpFileCheckOptions {
  readonly dns: DnsLookup;
  /** Port to connect to instead of the URL's (a local web server standing in for port 80). */
  readonly httpPort?: number;
  readonly timeoutMs: number;
  /** Accept the content followed by whitespace (ACME http-01), instead of TRAILING_NEWLINE. */
  readonly trailingWhitespaceAllowed?: boolean;
}

const errorCode = (error: unknown): string | undefined =>
  error instanceof Error && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined;

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

const CUT_CONNECTION = new Set(["ECONNRESET", "EPIPE"]);
const UNREACHABLE = new Set(["EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "EHOSTDOWN"]);

/** The file at `url` must be served directly (2xx, no redirect) with exactly `content`. */
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

  const port = options.httpPort ?? (parsed.port === "" ? 80 : Number(parsed.port));
  const where = `${hostName} (${address.includes(":") ? `[${address}]` : address} port ${port})`;
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
    const target =
      response.location === undefined
        ? "without a Location header"
        : `to ${quoteFound(response.location, 200)}`;
    return {
      ok: false,
      cause: "REDIRECTED",
      detail:
        `${url} answered ${statusLine}, redirecting ${target}. ` +
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
      return {
        ok: false,
        cause: "TRAILING_NEWLINE",
        detail:
          `The file at ${url} has the right content followed by ${quoteFound(extra, 20)}. ` +
          `Remove the ${what}: the file must end right after the last character of the value.`,
      };
    }
    case "different":
      return {
        ok: false,
        cause: "WRONG_VALUE",
        detail:
          found.length === 0
            ? `The file at ${url} is empty; it must contain ${quoteFound(content)}.`
            : `The file at ${url} contains ${quoteFound(found)}${response.truncated ? " (more than 64 KiB)" : ""}, ` +
              `not the expected content ${quoteFound(content)}.`,
      };
  }
}
