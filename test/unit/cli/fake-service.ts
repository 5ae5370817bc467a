import type { CliIo, OutputStream } from "../../../functions/cli/cli-io.ts";
import type { OrderView } from "../../../functions/cli/order-format.ts";
import type { ServiceContext } from "../../../functions/cli/service-client.ts";

/** One request the command made, as the fake service saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly at: number;
}

export interface FakeAnswer {
  readonly status?: number;
  readonly json?: unknown;
  readonly bytes?: Uint8Array;
  readonly headers?: Record<string, string | undefined>;
}

export type Route = (request: SeenRequest) => FakeAnswer | undefined;

/**
 * A service context whose fetch answers from `route` (404 when it answers nothing) and whose
 * clock moves only when the command sleeps.
 */
export function fakeService(
  route: Route,
  env: Record<string, string> = {
    CERTFLOW_URL: "http://127.0.0.1:3000",
    CERTFLOW_TOKEN: "cf_test",
  },
  cwd = "/nonexistent",
) {
  let now = Date.parse("2026-03-01T12:00:00Z");
  const requests: SeenRequest[] = [];
  const sleeps: number[] = [];
  const fetchFake = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [
        k.toLowerCase(),
        v,
      ]),
    );
    const request: SeenRequest = {
      method: init?.method ?? "GET",
      path: `${url.pathname}${url.search}`,
      headers,
      body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
      at: now,
    };
    requests.push(request);
    const answer = route(request) ?? {
      status: 404,
      json: { error: { code: "NOT_FOUND", message: `${request.path} was not found.` } },
    };
    const body = answer.bytes ?? JSON.stringify(answer.json ?? {});
    return new Response(body as BodyInit, {
      status: answer.status ?? 200,
      headers: {
        "content-type":
          answer.bytes === undefined ? "application/json" : "application/octet-stream",
        ...answer.headers,
      },
    });
  };
  const context: ServiceContext = {
    env,
    cwd,
    fetch: fetchFake as typeof fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    now: () => now,
  };
  return {
    context,
    requests,
    sleeps,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

/** CliIo into buffers; `terminalColumns` makes stdout a terminal of that width. */
export function fakeIo(terminalColumns?: number) {
  const out: string[] = [];
  const err: string[] = [];
  const raw: string[] = [];
  const io: CliIo = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    write: (stream: OutputStream, text: string) => {
      if (stream === "out") raw.push(text);
      else err.push(text);
    },
    terminal: (stream) =>
      stream === "out" && terminalColumns !== undefined ? { columns: terminalColumns } : undefined,
  };
  return {
    io,
    out,
    err,
    raw,
    stdout: () => out.join("\n"),
    stderr: () => err.join("\n"),
  };
}

/** An order view as the API answers it, with the fields a test names. */
export function orderView(overrides: Partial<OrderView> = {}): OrderView {
  return {
    id: "ord_1",
    status: "PENDING_VALIDATION",
    product: "DV",
    domains: ["shop.example.com", "www.shop.example.com"],
    createdAt: "2026-03-01T12:00:00.000Z",
    updatedAt: "2026-03-01T12:00:00.000Z",
    validationDeadline: "2026-03-02T12:00:00.000Z",
    validations: [
      {
        domain: "shop.example.com",
        method: "dns-txt",
        status: "pending",
        instructions: {
          method: "dns-txt",
          recordType: "TXT",
          host: "_certflow-challenge.shop.example.com",
          value: "certflow-one",
        },
        lastCheck: undefined,
        caa: undefined,
      },
      {
        domain: "www.shop.example.com",
        method: "dns-txt",
        status: "pending",
        instructions: {
          method: "dns-txt",
          recordType: "TXT",
          host: "_certflow-challenge.www.shop.example.com",
          value: "certflow-two",
        },
        lastCheck: undefined,
        caa: undefined,
      },
    ],
    warnings: undefined,
    ...overrides,
  } as OrderView;
}

export const ISSUED_CERTIFICATE = {
  serialNumber: "5f1c",
  notBefore: "2026-03-01T12:00:00.000Z",
  notAfter: "2026-05-30T12:00:00.000Z",
  sha256Fingerprint: "ab",
  renewAt: "2026-04-30T12:00:00.000Z",
};
