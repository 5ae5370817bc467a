export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: any;
  readonly bytes: Uint8Array;
}

/** A small client for the REST API, as a customer's script would use it. */
export class ApiClient {
  readonly baseUrl: string;
  readonly token: string;

  constructor(baseUrl: string, token: string) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  async request(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const type = response.headers.get("content-type") ?? "";
    const json = type.includes("json") ? JSON.parse(new TextDecoder().decode(bytes)) : undefined;
    return { status: response.status, headers: response.headers, json, bytes };
  }

  /** Polls the order until `done` holds, or fails naming the last status seen. */
  waitForOrder(orderId: string, done: (order: any) => boolean, timeoutMs = 60_000) {
    return this.#pollUntil(`/v1/orders/${orderId}`, done, timeoutMs, `order ${orderId}`);
  }

  /**
   * Polls an execution (operators only) until it has stopped: an order reads FAILED or ISSUED a
   * moment before its execution has sent the last mail and ended.
   */
  waitForExecutionEnd(name: string, timeoutMs = 10_000) {
    return this.#pollUntil(
      `/v1/executions/${name}`,
      (execution) => execution?.status !== "RUNNING",
      timeoutMs,
      `execution ${name}`,
    );
  }

  async #pollUntil(path: string, done: (body: any) => boolean, timeoutMs: number, what: string) {
    const started = Date.now();
    let last: any;
    while (Date.now() - started < timeoutMs) {
      last = (await this.request("GET", path)).json;
      if (done(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${what} did not get there in time; last seen: ${JSON.stringify(last)}`);
  }
}
