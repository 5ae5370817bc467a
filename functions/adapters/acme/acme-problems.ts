import { CaRejected, CaUnavailable } from "../../ports/certificate-authority.ts";
import type { AcmeExchange } from "./acme-http-calls.ts";

/** An RFC 8555 / RFC 7807 problem document, as far as it has the expected shape. */
export interface AcmeProblem {
  readonly type?: string;
  readonly detail?: string;
  readonly identifier?: string;
  readonly subproblems: readonly AcmeProblem[];
}

export const ACME_ERROR = "urn:ietf:params:acme:error:";

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

export function problemOf(body: unknown): AcmeProblem | undefined {
  const type = text(field(body, "type"));
  const detail = text(field(body, "detail"));
  if (type === undefined && detail === undefined) return undefined;
  const identifier = text(field(field(body, "identifier"), "value"));
  const subproblems = field(body, "subproblems");
  return {
    ...(type !== undefined ? { type } : {}),
    ...(detail !== undefined ? { detail } : {}),
    ...(identifier !== undefined ? { identifier } : {}),
    subproblems: Array.isArray(subproblems)
      ? subproblems.flatMap((sub) => problemOf(sub) ?? [])
      : [],
  };
}

/** "type: detail" plus "identifier: type: detail" per subproblem. */
export function describeProblem(problem: AcmeProblem): string {
  const own = [problem.type, problem.detail].filter((part) => part !== undefined).join(": ");
  const parts = problem.subproblems.map((sub) =>
    [sub.identifier, sub.type, sub.detail].filter((part) => part !== undefined).join(": "),
  );
  return parts.length === 0 ? own : `${own} (${parts.join("; ")})`;
}

export function isProblemType(exchange: AcmeExchange | undefined, name: string): boolean {
  return problemOf(exchange?.body)?.type === `${ACME_ERROR}${name}`;
}

/** When a Retry-After (seconds or an HTTP date) says to come back, as an ISO time. */
export function retryAfterTime(header: string | undefined, now: Date): string | undefined {
  const seconds = retryAfterSeconds(header, now);
  return seconds === undefined ? undefined : new Date(now.getTime() + seconds * 1000).toISOString();
}

export function retryAfterSeconds(header: string | undefined, now: Date): number | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the CA";
  }
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The port's error for a failed ACME exchange: 4xx problems are the CA's decision (CaRejected
 * with type and detail), 5xx, refused/reset connections and timeouts are transient
 * (CaUnavailable). `doing` says what the adapter was doing ("placing the order").
 */
export function caErrorForExchange(
  doing: string,
  exchange: AcmeExchange,
  now: Date,
): CaRejected | CaUnavailable {
  const what = capitalized(doing);
  if (exchange.networkError !== undefined) {
    const cause = exchange.networkError.code ?? "no response";
    return new CaUnavailable(
      `${what}: the CA at ${hostOf(exchange.url)} could not be reached (${cause}: ${exchange.networkError.message}).`,
    );
  }
  const status = exchange.status ?? 0;
  const problem = problemOf(exchange.body);
  const said =
    problem === undefined ? `HTTP ${status}` : `HTTP ${status}, ${describeProblem(problem)}`;
  if (status >= 500 || status === 0) {
    return new CaUnavailable(`${what}: the CA is unavailable (${said}).`);
  }
  if (problem?.type === `${ACME_ERROR}badNonce`) {
    return new CaUnavailable(`${what}: the CA kept refusing fresh nonces (${said}).`);
  }
  if (status === 429 || problem?.type === `${ACME_ERROR}rateLimited`) {
    const until = retryAfterTime(exchange.retryAfter, now);
    return new CaRejected(
      `${what}: the CA's rate limit was reached (${said})${until === undefined ? "" : `; it accepts new requests after ${until}`}.`,
    );
  }
  return new CaRejected(`${what}: the CA refused (${said}).`);
}

/**
 * The error to throw for `error` caught inside an adapter call. Errors the adapter raised itself
 * pass through; errors after a failed exchange are mapped from that exchange; anything else
 * (a protocol surprise) is kept as it is.
 */
export function caErrorFor(
  doing: string,
  error: unknown,
  lastFailure: AcmeExchange | undefined,
  now: Date,
): unknown {
  if (error instanceof CaRejected || error instanceof CaUnavailable) return error;
  if (lastFailure === undefined) return error;
  return caErrorForExchange(doing, lastFailure, now);
}

/** The invalid challenge's error, for a customer: "example.com: …:dns: No TXT record found…". */
export function challengeFailureReason(identifier: string, error: unknown): string {
  const problem = problemOf(error);
  return problem === undefined
    ? `${identifier}: the CA did not say why`
    : `${identifier}: ${describeProblem(problem)}`;
}
