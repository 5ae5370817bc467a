/**
 * pebble-challtestsrv's management API: the mock DNS server Pebble resolves through in local runs
 * and tests. Host names are sent fully qualified with the trailing dot, as it expects.
 */
export class ChalltestsrvManagement {
  readonly #baseUrl: string;

  /** `baseUrl` is the management address, e.g. "http://127.0.0.1:8055". */
  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl.replace(/\/$/, "");
  }

  /** Adds one TXT value at `host` (challtestsrv keeps every value added until cleared). */
  async addTxt(host: string, value: string): Promise<void> {
    await this.#post("/set-txt", { host: absoluteName(host), value });
  }

  async clearTxt(host: string): Promise<void> {
    await this.#post("/clear-txt", { host: absoluteName(host) });
  }

  async setCname(host: string, target: string): Promise<void> {
    await this.#post("/set-cname", { host: absoluteName(host), target: absoluteName(target) });
  }

  async clearCname(host: string): Promise<void> {
    await this.#post("/clear-cname", { host: absoluteName(host) });
  }

  async #post(path: string, body: Record<string, string>): Promise<void> {
    const response = await fetch(`${this.#baseUrl}${path}`, {
      method: "POST",
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) {
      throw new Error(
        `challtestsrv ${path} answered ${response.status}: ${(await response.text()).trim()}`,
      );
    }
  }
}

export function absoluteName(name: string): string {
  return name.endsWith(".") ? name.toLowerCase() : `${name.toLowerCase()}.`;
}
