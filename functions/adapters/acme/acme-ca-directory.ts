import type { IncomingMessage } from "node:http";
import type { Agent } from "node:https";
import { isAriCertId, renewalInfoRetryAfter } from "../../domain/renewal-information.ts";
import type { CaDirectory, RenewalWindow } from "../../ports/ca-directory.ts";
import { CaUnavailable } from "../../ports/certificate-authority.ts";
import { httpsAgentTrusting } from "./acme-https-trust.ts";
import { describeProblem, problemOf } from "./acme-problems.ts";

// Not `import … from "node:http"`: see functions/adapters/dcv/http-fetch.ts (its ESM namespace
// loads Node's WebSocket client when a function starts).
const { request: httpRequest } = process.getBuiltinModule("node:http");
const { request: httpsRequest } = process.getBuiltinModule("node:https");

export interface AcmeCaDirectoryOptions {
  /** The CA's ACME directory, e.g. https://acme-v02.api.letsencrypt.org/directory. */
  readonly directoryUrl: string;
  /** PEM certificate(s) trusted for the CA's HTTPS in addition to the system roots. */
  readonly extraTrustedCaPem?: string;
  /** Per HTTP request to the CA; default 10 s. */
  readonly requestTimeoutMs?: number;
  /** How long one read of the directory is used; default an hour. */
  readonly directoryMaxAgeSeconds?: number;
  readonly now?: () => Date;
}

/** What the directory says beyond RFC 8555's resources. */
interface DirectoryFacts {
  /** RFC 9773 §3: where certificates' renewal information is, when the CA offers it. */
  readonly renewalInfo?: string;
  /** `meta.profiles`: profile name → description. */
  readonly profiles: Readonly<Record<string, string>>;
}

interface HttpAnswer {
  readonly status: number;
  readonly retryAfter?: string;
  readonly body: unknown;
}

/** Answers larger than this are not the small JSON documents asked for. */
const MAX_ANSWER_BYTES = 256 * 1024;

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

/** An http(s) URL, or undefined. */
function webUrl(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function directoryFactsOf(body: unknown): DirectoryFacts {
  const renewalInfo = webUrl(field(body, "renewalInfo"));
  const listed = field(field(body, "meta"), "profiles");
  const profiles: Record<string, string> = {};
  if (typeof listed === "object" && listed !== null && !Array.isArray(listed)) {
    for (const [name, description] of Object.entries(listed)) {
      if (name.trim() === "") continue;
      profiles[name] = typeof description === "string" ? description : "";
    }
  }
  return { ...(renewalInfo === undefined ? {} : { renewalInfo }), profiles };
}

function timeOf(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/**
 * What a CA publishes about itself over ACME, read without an account: the profiles in its
 * directory's `meta.profiles`, and each certificate's suggested renewal window at
 * `{renewalInfo}/{CertID}` (RFC 9773, an unauthenticated GET). Node's http(s) only: no ACME
 * library loads for it.
 */
export class AcmeCaDirectory implements CaDirectory {
  readonly #options: AcmeCaDirectoryOptions;
  readonly #agent: Agent | undefined;
  readonly #now: () => Date;
  #directory: { readonly read: Promise<DirectoryFacts>; readonly at: number } | undefined;

  constructor(options: AcmeCaDirectoryOptions) {
    this.#options = options;
    this.#agent = httpsAgentTrusting(options.extraTrustedCaPem);
    this.#now = options.now ?? (() => new Date());
  }

  async profiles(): Promise<Readonly<Record<string, string>>> {
    return (await this.#facts()).profiles;
  }

  async renewalWindow(certId: string): Promise<RenewalWindow | undefined> {
    if (!isAriCertId(certId)) throw new RangeError(`Not an ARI CertID: ${certId}`);
    const { renewalInfo } = await this.#facts();
    if (renewalInfo === undefined) return undefined;
    const url = `${renewalInfo.replace(/\/+$/, "")}/${certId}`;
    const doing = `Reading the CA's renewal window for ${certId}`;
    const answer = await this.#get(url, doing);
    const window = field(answer.body, "suggestedWindow");
    const start = timeOf(field(window, "start"));
    const end = timeOf(field(window, "end"));
    if (start === undefined || end === undefined || end.getTime() <= start.getTime()) {
      // RFC 9773 §4.2: as though the CA had not answered.
      throw new CaUnavailable(
        `${doing}: the CA answered no usable suggestedWindow (${JSON.stringify(window ?? null).slice(0, 200)}).`,
      );
    }
    const explanationUrl = webUrl(field(answer.body, "explanationURL"));
    return {
      start,
      end,
      ...(explanationUrl === undefined ? {} : { explanationUrl }),
      retryAfterSeconds: renewalInfoRetryAfter(answer.retryAfter, this.#now()),
    };
  }

  /** The directory, read once and reused for a while; a failed read is tried again next time. */
  #facts(): Promise<DirectoryFacts> {
    const now = this.#now().getTime();
    const maxAgeMs = (this.#options.directoryMaxAgeSeconds ?? 3_600) * 1000;
    const cached = this.#directory;
    if (cached !== undefined && now - cached.at < maxAgeMs) return cached.read;
    const doing = "Reading the CA's directory";
    const read = this.#get(this.#options.directoryUrl, doing).then((answer) => {
      if (typeof answer.body !== "object" || answer.body === null || Array.isArray(answer.body)) {
        throw new CaUnavailable(`${doing}: the CA answered no JSON directory.`);
      }
      return directoryFactsOf(answer.body);
    });
    const entry = { read, at: now };
    this.#directory = entry;
    read.catch(() => {
      if (this.#directory === entry) this.#directory = undefined;
    });
    return read;
  }

  /** One GET; a 2xx answer's JSON, else CaUnavailable naming what the CA said. */
  async #get(url: string, doing: string): Promise<HttpAnswer> {
    let answer: HttpAnswer;
    try {
      answer = await this.#exchange(url);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new CaUnavailable(
        `${doing}: the CA at ${new URL(url).host} could not be reached (${typeof code === "string" ? `${code}: ` : ""}${error instanceof Error ? error.message : String(error)}).`,
      );
    }
    if (answer.status < 200 || answer.status > 299) {
      const problem = problemOf(answer.body);
      throw new CaUnavailable(
        `${doing}: the CA answered HTTP ${answer.status}${problem === undefined ? "" : `, ${describeProblem(problem)}`}.`,
      );
    }
    return answer;
  }

  #exchange(url: string): Promise<HttpAnswer> {
    const secure = url.startsWith("https:");
    const send = secure ? httpsRequest : httpRequest;
    const timeoutMs = this.#options.requestTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const request = send(
        url,
        {
          method: "GET",
          headers: { accept: "application/json" },
          timeout: timeoutMs,
          ...(secure && this.#agent !== undefined ? { agent: this.#agent } : {}),
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              response.destroy(new Error(`the answer exceeds ${MAX_ANSWER_BYTES} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          response.on("error", reject);
          response.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown;
            try {
              body = text === "" ? undefined : JSON.parse(text);
            } catch {
              body = undefined;
            }
            const retryAfter = response.headers["retry-after"];
            resolve({
              status: response.statusCode ?? 0,
              ...(typeof retryAfter === "string" ? { retryAfter } : {}),
              body,
            });
          });
        },
      );
      request.on("timeout", () =>
        request.destroy(
          Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" }),
        ),
      );
      request.on("error", reject);
      request.end();
    });
  }
}
