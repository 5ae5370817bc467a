import { AsyncLocalStorage } from "node:async_hooks";
import type { Agent } from "node:https";
import type { AxiosAdapter, InternalAxiosRequestConfig } from "axios";
import { acmeAxios, acmeLibrary } from "./acme-library.ts";

/** One HTTP exchange with the CA, as far as it got. */
export interface AcmeExchange {
  readonly method: string;
  readonly url: string;
  readonly status?: number;
  /** The Retry-After header, when the CA sent one. */
  readonly retryAfter?: string;
  /** The parsed JSON body (an RFC 7807 problem document when status >= 400). */
  readonly body?: unknown;
  /** Set when no response arrived: refused, reset, timed out, TLS failure, … */
  readonly networkError?: { readonly code?: string; readonly message: string };
}

export interface AcmeCallSettings {
  /** Trust for the CA's HTTPS (extra roots), kept per adapter rather than process-wide. */
  readonly httpsAgent?: Agent;
  readonly timeoutMs: number;
}

/** One adapter call: its requests to the CA and what they answered. */
export interface AcmeCall {
  /**
   * Runs one acme-client request. A request the CA refused for its nonce was not processed, so
   * it is sent again (acme-client retries five times itself; this adds a few more rounds).
   */
  send<T>(request: () => Promise<T>): Promise<T>;
  lastResponse(): AcmeExchange | undefined;
  /** The last exchange that failed (status >= 400 or no response) in the last send. */
  lastFailure(): AcmeExchange | undefined;
}

const SEND_ATTEMPTS = 3;

function isBadNonce(exchange: AcmeExchange | undefined): boolean {
  const type = (exchange?.body as { type?: unknown } | undefined)?.type;
  return exchange?.status === 400 && type === "urn:ietf:params:acme:error:badNonce";
}

interface CallState {
  readonly settings: AcmeCallSettings;
  lastResponse?: AcmeExchange;
  lastFailure?: AcmeExchange;
}

const calls = new AsyncLocalStorage<CallState>();
let installed: Promise<void> | undefined;

function parsedBody(data: unknown): unknown {
  if (typeof data !== "string" && !Buffer.isBuffer(data)) return data;
  try {
    return JSON.parse(data.toString());
  } catch {
    return undefined;
  }
}

interface AdapterFailure {
  readonly code?: string;
  readonly message?: string;
  readonly response?: {
    readonly status: number;
    readonly headers: { get?(name: string): unknown } & Record<string, unknown>;
    readonly data: unknown;
  };
}

function record(state: CallState, exchange: AcmeExchange) {
  if (exchange.status !== undefined) state.lastResponse = exchange;
  if (exchange.networkError !== undefined || (exchange.status ?? 0) >= 400) {
    state.lastFailure = exchange;
  }
}

function recordingAdapter(http: AxiosAdapter, state: CallState): AxiosAdapter {
  return async (config) => {
    const method = (config.method ?? "get").toUpperCase();
    const url = config.url ?? "";
    try {
      const response = await http(config);
      const retryAfter = response.headers["retry-after"];
      record(state, {
        method,
        url,
        status: response.status,
        ...(typeof retryAfter === "string" ? { retryAfter } : {}),
        body: parsedBody(response.data),
      });
      return response;
    } catch (error) {
      const failure = error as AdapterFailure;
      if (failure.response !== undefined) {
        const retryAfter = failure.response.headers["retry-after"];
        record(state, {
          method,
          url,
          status: failure.response.status,
          ...(typeof retryAfter === "string" ? { retryAfter } : {}),
          body: parsedBody(failure.response.data),
        });
      } else {
        record(state, {
          method,
          url,
          networkError: {
            ...(failure.code !== undefined ? { code: failure.code } : {}),
            message: failure.message ?? String(error),
          },
        });
      }
      throw error;
    }
  };
}

/**
 * Hooks into acme-client's axios instance once. Inside an adapter call, requests get the
 * call's trust and timeout, and every exchange is recorded: acme-client turns problem
 * documents into bare messages and network failures into "Cannot read properties of undefined
 * (reading 'config')", so the recording is what names the CA's actual answer. acme-client
 * and its axios are loaded here, on the first call, not while the function starts.
 */
function install(): Promise<void> {
  installed ??= hookIntoAcmeClient();
  return installed;
}

async function hookIntoAcmeClient(): Promise<void> {
  const [acme, axios] = await Promise.all([acmeLibrary(), acmeAxios()]);
  // The http adapter of the very axios acme-client sends through.
  const http = axios.getAdapter("http");
  // No sleeping inside a call: acme-client would wait 5 s per retry, or a Retry-After of
  // hours on rate limits. The state machine retries CaUnavailable with its own waits.
  const settings = (acme.axios.defaults as { acmeSettings?: Record<string, number> }).acmeSettings;
  if (settings !== undefined) {
    settings.retryMaxAttempts = 0;
    settings.retryDefaultDelay = 0;
  }
  acme.axios.interceptors.request.use((config: InternalAxiosRequestConfig) => {
    const state = calls.getStore();
    if (state === undefined) return config;
    config.timeout = state.settings.timeoutMs;
    if (state.settings.httpsAgent !== undefined) config.httpsAgent = state.settings.httpsAgent;
    config.adapter = recordingAdapter(http, state);
    return config;
  });
}

/** Runs `work` as one adapter call: its requests to the CA are set up and recorded. */
export async function inAcmeCall<T>(
  settings: AcmeCallSettings,
  work: (call: AcmeCall) => Promise<T>,
): Promise<T> {
  await install();
  const state: CallState = { settings };
  const call: AcmeCall = {
    async send(request) {
      for (let attempt = 1; ; attempt += 1) {
        state.lastFailure = undefined;
        try {
          return await request();
        } catch (error) {
          if (attempt >= SEND_ATTEMPTS || !isBadNonce(state.lastFailure)) throw error;
        }
      }
    },
    lastResponse: () => state.lastResponse,
    lastFailure: () => state.lastFailure,
  };
  return calls.run(state, () => work(call));
}
