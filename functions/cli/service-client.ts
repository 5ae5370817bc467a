import { localServiceUrl, noServiceAnswers } from "../local/local-data-dir.ts";
import { type CliIo, EXIT_BAD_INPUT, EXIT_PROBLEMS, UsageError } from "./cli-io.ts";
import {
  findTokenSource,
  localDataDir,
  TOKEN_SOURCES,
  type TokenSource,
  type TokenSourceKind,
} from "./token-sources.ts";

/** What the commands that talk to the service use from outside: real in the tool, fakes in tests. */
export interface ServiceContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly fetch: typeof fetch;
  readonly tokenSources?: readonly TokenSourceKind[];
  sleep(ms: number): Promise<void>;
  now(): number;
  /** Runs `handler` on Ctrl-C, then ends the process (exit 130); the returned function stops that. */
  onInterrupt?(handler: () => void): () => void;
}

export const processContext: ServiceContext = {
  env: process.env,
  cwd: process.cwd(),
  fetch: (input, init) => fetch(input, init),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  onInterrupt: (handler) => {
    const listener = () => {
      handler();
      process.exit(130);
    };
    process.once("SIGINT", listener);
    return () => process.off("SIGINT", listener);
  },
};

/** The service answered with an error: `{"error":{"code","message","details"?}}`. */
export class ApiRefusal extends Error {
  override readonly name = "ApiRefusal";
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** 4xx are the caller's to fix (exit 2); 429, 5xx and the like are failures (exit 1). */
  get exitCode(): number {
    return this.status >= 400 && this.status < 500 && this.status !== 429
      ? EXIT_BAD_INPUT
      : EXIT_PROBLEMS;
  }

  get retryAfterSeconds(): number | undefined {
    const details = this.details as { retryAfterSeconds?: unknown } | undefined;
    return typeof details?.retryAfterSeconds === "number" ? details.retryAfterSeconds : undefined;
  }
}

/** Nothing answered at the URL (refused, unresolvable, timed out). */
export class ServiceUnreachable extends Error {
  override readonly name = "ServiceUnreachable";
  readonly url: string;

  constructor(url: string) {
    super(noServiceAnswers(url));
    this.url = url;
  }
}

export interface Download {
  readonly bytes: Uint8Array;
  readonly contentType: string;
  /** From Content-Disposition, reduced to a plain file name. */
  readonly fileName: string | undefined;
}

function refusalOf(status: number, text: string): ApiRefusal {
  try {
    const body = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown; details?: unknown };
      message?: unknown;
    };
    const error = body.error;
    if (typeof error?.code === "string" && typeof error.message === "string") {
      return new ApiRefusal(status, error.code, error.message, error.details);
    }
    // API Gateway's own answers ({"message": "Unauthorized"}).
    if (typeof body.message === "string")
      return new ApiRefusal(status, `HTTP_${status}`, body.message);
  } catch {
    // Not JSON: the text itself.
  }
  return new ApiRefusal(
    status,
    `HTTP_${status}`,
    text.trim() === "" ? `the service answered ${status}` : text.trim().slice(0, 300),
  );
}

function fileNameOf(disposition: string | null): string | undefined {
  const match = disposition?.match(/filename="?([^";]+)"?/i);
  const name = match?.[1]?.split(/[/\\]/).pop();
  return name === undefined || name === "" || name === "." || name === ".." ? undefined : name;
}

/** The REST API of one service, with a bearer token from a token source. */
export class ServiceClient {
  readonly url: string;
  readonly #tokens: TokenSource;
  readonly #fetch: typeof fetch;

  constructor(url: string, tokens: TokenSource, fetchImpl: typeof fetch) {
    this.url = url;
    this.#tokens = tokens;
    this.#fetch = fetchImpl;
  }

  async #send(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<Response> {
    const token = await this.#tokens.token();
    let response: Response;
    try {
      response = await this.#fetch(`${this.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ServiceUnreachable(this.url);
    }
    if (!response.ok) throw refusalOf(response.status, await response.text());
    return response;
  }

  /** A JSON request; the answer's JSON, or an ApiRefusal. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.#send(method, path, body, { accept: "application/json" });
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiRefusal(
        response.status,
        "NOT_JSON",
        `the service answered ${method} ${path} with something other than JSON.`,
      );
    }
  }

  /** A download as bytes; `accept` names the type (API Gateway hands out bytes only then). */
  async download(
    path: string,
    accept: string,
    headers: Record<string, string> = {},
  ): Promise<Download> {
    const response = await this.#send("GET", path, undefined, { accept, ...headers });
    return {
      bytes: new Uint8Array(await response.arrayBuffer()),
      contentType: response.headers.get("content-type") ?? "",
      fileName: fileNameOf(response.headers.get("content-disposition")),
    };
  }
}

/** What every command talking to the service takes. */
export const SERVICE_OPTIONS = {
  url: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

export const SERVICE_HELP = `  --url URL         the service (default $CERTFLOW_URL, else the URL the local service recorded
                    in its data directory, $CERTFLOW_DATA_DIR or ./.certflow, else
                    http://127.0.0.1:3000)
  --json            one JSON document on stdout, for scripts`;

/** Where the token comes from, after a command's options. */
export const TOKEN_HELP = `The token is $CERTFLOW_TOKEN, else the sign-in 'certflow login' kept for the service, else (for
a service on this machine) the customer token the local service keeps in its data directory.`;

/** The service the options and the environment point at, with the caller's token. */
export function connect(
  context: ServiceContext,
  given: { readonly url?: string },
  role: "customer" | "operator" = "customer",
): ServiceClient {
  const dataDir = localDataDir(context.env, context.cwd);
  const url = localServiceUrl({ given: given.url, environment: context.env, dataDir });
  if (!/^https?:\/\/[^\s/]+/.test(url)) {
    throw new UsageError(`--url must be an http(s) URL, not '${url}'.`);
  }
  const tokens = findTokenSource(
    {
      env: context.env,
      cwd: context.cwd,
      serviceUrl: url,
      role,
      fetch: context.fetch,
      now: context.now,
    },
    context.tokenSources ?? TOKEN_SOURCES,
  );
  if (tokens === undefined) {
    throw new UsageError(
      role === "customer"
        ? `No token for ${url}: set CERTFLOW_TOKEN (npm start prints the local one), or run certflow login.`
        : `No operator token for ${url}: set CERTFLOW_OPERATOR_TOKEN.`,
    );
  }
  return new ServiceClient(url, tokens, context.fetch);
}

/**
 * Reports what went wrong talking to the service: `CODE: message` on stderr (and with --json
 * the error as the JSON document on stdout); returns the exit code. Anything else is rethrown.
 */
export function reportServiceError(error: unknown, io: CliIo, json: boolean): number {
  if (error instanceof ApiRefusal) {
    if (json) {
      io.out(
        JSON.stringify(
          {
            error: {
              status: error.status,
              code: error.code,
              message: error.message,
              details: error.details,
            },
          },
          null,
          2,
        ),
      );
    }
    io.err(`${error.code}: ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof ServiceUnreachable) {
    if (json) {
      io.out(JSON.stringify({ error: { code: "NO_SERVICE", message: error.message } }, null, 2));
    }
    io.err(`NO_SERVICE: ${error.message}`);
    return EXIT_BAD_INPUT;
  }
  throw error;
}
