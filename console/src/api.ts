// The REST API as the console calls it: same origin, the bearer token from the session, JSON in
// and out, refusals as ApiFailure with the API's code, message and details.
import type { OrderStatus } from "../../functions/domain/order-status.ts";

export type Role = "customer" | "operator";

export interface Caller {
  readonly tenantId: string;
  readonly role: Role;
}

export interface ServiceInfo {
  readonly ca: "embedded" | "acme";
  readonly validationTimeoutSeconds?: number;
}

export type Instructions =
  | { readonly method: "http-file"; readonly url: string; readonly content: string }
  | {
      readonly method: "dns-txt" | "dns-cname";
      readonly recordType: "TXT" | "CNAME";
      readonly host: string;
      readonly value: string;
    }
  | { readonly method: "email"; readonly approver: string };

export interface ServerCheck {
  readonly name: string;
  readonly address: string;
  readonly found: boolean;
  readonly answered: boolean;
  readonly detail?: string;
}

export interface Verdict {
  readonly ok: boolean;
  readonly cause?: string;
  readonly detail?: string;
}

export interface LastCheck extends Verdict {
  readonly at: string;
  readonly servers?: readonly ServerCheck[];
}

export interface Validation {
  readonly domain: string;
  readonly method: string;
  readonly status: "pending" | "published" | "valid" | "invalid";
  readonly instructions?: Instructions;
  readonly lastCheck?: LastCheck;
  readonly caa?: Verdict;
}

export interface Organization {
  readonly name: string;
  readonly unit?: string;
  readonly locality: string;
  readonly state: string;
  readonly country: string;
}

export interface OrderDocument {
  readonly id: string;
  readonly contentType: string;
  readonly size: number;
  readonly width: number;
  readonly height: number;
  readonly uploadedAt: string;
  readonly url: string;
}

export interface CertificateSummary {
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly sha256Fingerprint: string;
  readonly replaces?: string;
}

export interface Order {
  readonly id: string;
  readonly status: OrderStatus;
  readonly product: "DV" | "OV" | "EV";
  readonly domains: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly validationDeadline?: string;
  readonly validations: readonly Validation[];
  readonly organization?: Organization;
  readonly review?: {
    readonly status: string;
    readonly reason?: string;
    readonly deadline: string;
    readonly decidedAt?: string;
  };
  readonly documents?: readonly OrderDocument[];
  readonly certificate?: CertificateSummary & { readonly renewAt: string };
  readonly certificates?: readonly CertificateSummary[];
  readonly renewal?: {
    readonly auto: boolean;
    readonly nextAt?: string;
    readonly planMonths?: number;
    readonly planEndsAt?: string;
    readonly notRenewing?: string;
    readonly status?: {
      readonly orderId: string;
      readonly trigger: string;
      readonly rekey: boolean;
      readonly startedAt: string;
      readonly status?: OrderStatus;
      readonly validationDeadline?: string;
      readonly validations?: readonly Validation[];
    };
    readonly lastFailure?: { readonly at: string; readonly code: string; readonly message: string };
  };
  readonly failure?: { readonly code: string; readonly message: string };
  readonly warnings?: readonly { readonly code: string; readonly message: string }[];
  readonly execution?: { readonly name: string };
  readonly renewalOf?: string;
}

export interface OrderEvent {
  readonly at: string;
  readonly type: string;
  readonly message: string;
  readonly status?: OrderStatus;
  readonly by?: { readonly role: Role; readonly tenantId: string };
}

export interface CheckResult extends Verdict {
  readonly domain: string;
  readonly servers?: readonly ServerCheck[];
  readonly caa?: Verdict;
}

export interface Checks {
  readonly id: string;
  readonly allPublished: boolean;
  readonly resumed: boolean;
  readonly results: readonly CheckResult[];
}

export interface Review {
  readonly orderId: string;
  readonly tenantId: string;
  readonly product: "DV" | "OV" | "EV";
  readonly names: readonly string[];
  readonly status: OrderStatus;
  readonly organization?: Organization;
  readonly contact: { readonly name: string; readonly email: string; readonly phone?: string };
  readonly awaitingSince?: string;
  readonly deadline?: string;
  readonly documents: readonly OrderDocument[];
}

export interface ExecutionEvent {
  readonly timestamp: string;
  readonly type: string;
  readonly stateName?: string;
  readonly error?: string;
  readonly cause?: string;
}

export interface Execution {
  readonly name: string;
  readonly status: "RUNNING" | "SUCCEEDED" | "FAILED" | "ABORTED" | "TIMED_OUT";
  readonly startedAt: string;
  readonly stoppedAt?: string;
  readonly events: readonly ExecutionEvent[];
  readonly transitions?: number;
}

/** One problem the API (or the same rules in the browser) found, and where. */
export interface FieldProblem {
  readonly code: string;
  readonly message: string;
  readonly field?: string;
}

/** A refusal: the API's `{"error":{"code","message","details"}}` and the HTTP status. */
export class ApiFailure extends Error {
  override readonly name = "ApiFailure";
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    details?: Record<string, unknown>,
    retryAfterSeconds?: number,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Every problem the refusal names with its field: rule problems, CSR defects, body issues. */
  problems(): FieldProblem[] {
    const details = this.details ?? {};
    const listed: FieldProblem[] = [];
    if (Array.isArray(details.problems)) {
      for (const problem of details.problems as FieldProblem[]) listed.push(problem);
    }
    if (Array.isArray(details.defects)) {
      for (const defect of details.defects as { code: string; message: string }[]) {
        listed.push({ code: defect.code, message: defect.message, field: "csr" });
      }
    }
    if (Array.isArray(details.issues)) {
      for (const issue of details.issues as { path: string; message: string }[]) {
        listed.push({ code: this.code, message: issue.message, field: issue.path || undefined });
      }
    }
    return listed.length > 0 ? listed : [{ code: this.code, message: this.message }];
  }
}

const TOKEN_KEY = "certflow.token";
/** A Cognito sign-in's refresh token (cognito-session.ts); signing out forgets it too. */
const REFRESH_KEY = "certflow.refreshToken";

/**
 * The API token (pasted, or a Cognito sign-in's ID token), kept for this browser tab only
 * (sessionStorage), never in a URL.
 */
export const session = {
  token(): string | undefined {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  },
  signIn(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  signOut(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(REFRESH_KEY);
  },
};

/** A sign-in whose tokens expire: freshens the token before a call, renews it after a 401. */
export interface TokenRenewal {
  fresh(): Promise<void>;
  /** True when the session now holds a new token worth trying again. */
  renew(): Promise<boolean>;
}

let renewal: TokenRenewal | undefined;
export function renewTokensWith(handler: TokenRenewal): void {
  renewal = handler;
}

/** Called when the API refuses the token (401): the app shows the sign-in again. */
let onUnauthenticated: (() => void) | undefined;
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

interface RequestOptions {
  readonly body?: unknown;
  readonly rawBody?: Blob;
  readonly headers?: Record<string, string>;
  /** Use this token instead of the session's (signing in). */
  readonly token?: string;
  /** A call made again with a renewed token: a second 401 stands. */
  readonly renewed?: boolean;
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  if (options.token === undefined && renewal !== undefined) await renewal.fresh();
  const token = options.token ?? session.token();
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
  } else if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, cache: "no-store" });
  } catch {
    throw new ApiFailure(0, "UNREACHABLE", "The service did not answer; is it still running?");
  }
  if (response.ok) return response;
  const retryAfter = Number(response.headers.get("retry-after") ?? Number.NaN);
  let failure: ApiFailure;
  try {
    const answer = (await response.json()) as {
      error?: { code?: string; message?: string; details?: Record<string, unknown> };
    };
    failure = new ApiFailure(
      response.status,
      answer.error?.code ?? `HTTP_${response.status}`,
      answer.error?.message ?? response.statusText,
      answer.error?.details,
      Number.isFinite(retryAfter) ? retryAfter : undefined,
    );
  } catch {
    failure = new ApiFailure(
      response.status,
      `HTTP_${response.status}`,
      `The service answered ${response.status} ${response.statusText}.`,
    );
  }
  if (failure.status === 401 && options.token === undefined) {
    if (renewal !== undefined && options.renewed !== true && (await renewal.renew())) {
      return send(method, path, { ...options, renewed: true });
    }
    onUnauthenticated?.();
  }
  throw failure;
}

export async function api<T>(method: string, path: string, options: RequestOptions = {}) {
  const response = await send(method, path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A download: the bytes and the file name the service gave them. */
export async function download(
  path: string,
  headers: Record<string, string>,
): Promise<{ blob: Blob; fileName: string }> {
  const response = await send("GET", path, { headers });
  const disposition = response.headers.get("content-disposition") ?? "";
  const fileName = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "download";
  return { blob: await response.blob(), fileName };
}

/** An image the API serves only with the token (a letter): a blob: URL to show it. */
export async function imageUrl(path: string): Promise<string> {
  const response = await send("GET", path, { headers: { accept: "image/*" } });
  return URL.createObjectURL(await response.blob());
}
