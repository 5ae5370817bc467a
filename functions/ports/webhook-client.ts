/**
 * Reaches customers' webhook endpoints: HTTPS, and only at public addresses (loopback too where
 * the host allows it, with plain http for local test receivers). The address rules are applied
 * when an endpoint is registered and again before every attempt, since DNS may change.
 */
export type EndpointRefusal =
  | "URL_INVALID"
  | "URL_NOT_HTTPS"
  | "ADDRESS_NOT_PUBLIC"
  | "NXDOMAIN"
  | "NO_RECORD"
  | "DNS_SERVFAIL"
  | "TIMEOUT";

export type EndpointCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly cause: EndpointRefusal; readonly detail: string };

export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type WebhookAnswer =
  | {
      readonly kind: "answered";
      readonly statusCode: number;
      readonly durationMs: number;
      /** The start of the answer's body, as text, at most 200 characters. */
      readonly excerpt: string;
      /** The answer's Retry-After, in seconds, when it had one. */
      readonly retryAfterSeconds?: number;
    }
  | {
      /** Nothing was sent, or no answer came: refused address, DNS, TLS, timeout, reset. */
      readonly kind: "failed";
      readonly cause: string;
      readonly detail: string;
      readonly durationMs: number;
    };

export interface WebhookClient {
  /** Whether deliveries may go to `url`: its shape, and where its name leads now. */
  checkEndpoint(url: string): Promise<EndpointCheck>;
  /** One POST, no redirects followed, within the attempt's time; the address checked first. */
  post(request: WebhookRequest): Promise<WebhookAnswer>;
}
