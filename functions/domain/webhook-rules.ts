/**
 * Webhooks: which order events are delivered, how a delivery is retried, and what an endpoint
 * registration may hold. Pure rules; the signing, the network and the storage live elsewhere.
 */

/** The event types a webhook endpoint can subscribe to, as in each delivery's `type`. */
export const WEBHOOK_EVENT_TYPES = [
  "order.status_changed",
  "order.mail_sent",
  "order.installation_stale",
  "order.renewal",
  "certificate.expiring",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What `POST /v1/webhooks/{id}/ping` sends: delivered to the one endpoint, never subscribed to. */
export const PING_EVENT_TYPE = "webhook.ping";

/** The history event types that are delivered, and as which webhook event type. */
const DELIVERED_HISTORY_EVENTS: Readonly<Record<string, WebhookEventType>> = {
  status: "order.status_changed",
  mail: "order.mail_sent",
  /** A renewed order's server still serves an earlier certificate after the grace period. */
  installation_stale: "order.installation_stale",
  /** A renewal started, replaced the certificate or failed; the CA's renewal window moved. */
  renewal: "order.renewal",
  /** The certificate ends in 30, 7 or 1 days and no renewal will replace it. */
  expiry_notice: "certificate.expiring",
};

/** EventBridge's `detail-type` of each event type (the default bus, source `certflow`). */
export const EVENT_DETAIL_TYPES: Readonly<Record<WebhookEventType, string>> = {
  "order.status_changed": "Order Status Changed",
  "order.mail_sent": "Order Mail Sent",
  "order.installation_stale": "Order Installation Stale",
  "order.renewal": "Order Renewal",
  "certificate.expiring": "Certificate Expiring",
};

/** The `source` of every event certflow puts on EventBridge. */
export const EVENT_SOURCE = "certflow";

/** The webhook event type of an order's history event, or undefined when it is not delivered. */
export function webhookEventTypeOf(historyEventType: string): WebhookEventType | undefined {
  return Object.hasOwn(DELIVERED_HISTORY_EVENTS, historyEventType)
    ? DELIVERED_HISTORY_EVENTS[historyEventType]
    : undefined;
}

/** Whether an endpoint subscribed to `events` (all of them when it named none) gets `type`. */
export function subscribesTo(
  events: readonly WebhookEventType[] | undefined,
  type: WebhookEventType,
): boolean {
  return events === undefined || events.length === 0 || events.includes(type);
}

/** Endpoints one tenant may have at a time. */
export const MAX_ENDPOINTS_PER_TENANT = 10;

/** The longest URL an endpoint may have. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** How long a receiver has to answer one attempt (Standard Webhooks: 15 to 30 s). */
export const WEBHOOK_TIMEOUT_MS = 15_000;

/** How much of a receiver's answer an attempt keeps: an excerpt, never the whole body. */
export const RESPONSE_EXCERPT_CHARACTERS = 200;

/** How long delivery attempts (and the deliveries they belong to) are kept, then expire. */
export const DELIVERY_LOG_DAYS = 30;

/**
 * Pauses before each retry, after the first attempt (immediately): 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h (Standard Webhooks' schedule); the last attempt is made when the retry window ends.
 */
export const DEFAULT_RETRY_DELAYS_SECONDS: readonly number[] = [
  5, 300, 1_800, 7_200, 18_000, 36_000,
];

/** How long after its first attempt a delivery is retried at most. */
export const RETRY_WINDOW_SECONDS = 24 * 3_600;

export interface RetryPolicy {
  readonly delaysSeconds: readonly number[];
  readonly windowSeconds: number;
  /** A fraction of each pause added at random (0.1: up to 10 % later), so retries spread. */
  readonly jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  delaysSeconds: DEFAULT_RETRY_DELAYS_SECONDS,
  windowSeconds: RETRY_WINDOW_SECONDS,
  jitter: 0.1,
};

/**
 * When to try a failed delivery again, or undefined to give up. `attempts` counts the attempts
 * made so far (the first is 1). The pause after attempt n is the policy's n-th, plus jitter
 * (`random` in [0, 1)), and never shorter than a receiver's Retry-After; past the last pause,
 * or when a retry would fall after the window ends, it is made when the window ends, once;
 * after that nothing more.
 */
export function nextAttemptAt(options: {
  readonly firstAttemptAt: Date;
  readonly attempts: number;
  readonly now: Date;
  readonly policy?: RetryPolicy;
  readonly retryAfterSeconds?: number;
  readonly random?: () => number;
}): Date | undefined {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const windowEnd = options.firstAttemptAt.getTime() + policy.windowSeconds * 1000;
  const now = options.now.getTime();
  if (now >= windowEnd) return undefined;
  const pause = policy.delaysSeconds[options.attempts - 1];
  // Past the last pause: one more attempt when the window ends.
  if (pause === undefined) return new Date(windowEnd);
  const jitter = pause * policy.jitter * (options.random ?? Math.random)();
  const seconds = Math.max(pause + jitter, options.retryAfterSeconds ?? 0);
  const due = now + Math.round(seconds * 1000);
  return new Date(Math.min(due, windowEnd));
}

/** A reason an endpoint's URL is refused as written, before any address is looked up. */
export interface UrlProblem {
  readonly code: "URL_INVALID" | "URL_NOT_HTTPS";
  readonly message: string;
}

/**
 * Reads an endpoint's URL: absolute, https (http only where `allowHttp`, for loopback test
 * receivers), no user name or password, no fragment, at most 2048 characters.
 */
export function parseWebhookUrl(
  text: string,
  options: { readonly allowHttp: boolean },
): { readonly url: URL } | { readonly problem: UrlProblem } {
  const invalid = (message: string) => ({ problem: { code: "URL_INVALID" as const, message } });
  if (text.length > MAX_WEBHOOK_URL_LENGTH) {
    return invalid(`url is longer than ${MAX_WEBHOOK_URL_LENGTH} characters.`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid("url is not an absolute URL, e.g. https://hooks.example.com/certflow.");
  }
  if (url.protocol === "http:" && !options.allowHttp) {
    return {
      problem: {
        code: "URL_NOT_HTTPS",
        message: "url must use https: deliveries are only sent over TLS.",
      },
    };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return {
      problem: { code: "URL_NOT_HTTPS", message: `url must use https, not ${url.protocol}` },
    };
  }
  if (url.username !== "" || url.password !== "") {
    return invalid("url must not hold a user name or password: deliveries are signed instead.");
  }
  if (url.hash !== "") return invalid("url must not have a fragment (#…).");
  if (url.hostname === "") return invalid("url has no host.");
  return { url };
}
