import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_POLICY,
  EVENT_DETAIL_TYPES,
  nextAttemptAt,
  parseWebhookUrl,
  subscribesTo,
  webhookEventTypeOf,
} from "../../../functions/domain/webhook-rules.ts";

const FIRST = new Date("2027-01-10T08:00:00.000Z");
const at = (seconds: number) => new Date(FIRST.getTime() + seconds * 1000);
const noJitter = () => 0;

describe("the retry schedule", () => {
  it("retries after 5 s, 5 min, 30 min, 2 h, 5 h and 10 h, then once more when 24 h have passed, then gives up", () => {
    // Prepare: each attempt fails at once, at the time the one before scheduled.
    const times: number[] = [];
    let now = FIRST;

    // Act
    for (let attempts = 1; ; attempts++) {
      const next = nextAttemptAt({ firstAttemptAt: FIRST, attempts, now, random: noJitter });
      if (next === undefined) break;
      times.push((next.getTime() - FIRST.getTime()) / 1000);
      now = next;
    }

    // Assess
    expect(times).toEqual([5, 305, 2_105, 9_305, 27_305, 63_305, 86_400]);
  });

  it("spreads each pause by up to 10 % later, never earlier", () => {
    const earliest = nextAttemptAt({
      firstAttemptAt: FIRST,
      attempts: 3,
      now: at(305),
      random: () => 0,
    });
    const latest = nextAttemptAt({
      firstAttemptAt: FIRST,
      attempts: 3,
      now: at(305),
      random: () => 0.999_999,
    });

    expect(earliest).toEqual(at(2_105));
    expect(latest).toEqual(at(305 + 1_980));
  });

  it("waits at least as long as the receiver's Retry-After, within the window", () => {
    expect(
      nextAttemptAt({
        firstAttemptAt: FIRST,
        attempts: 1,
        now: FIRST,
        retryAfterSeconds: 120,
        random: noJitter,
      }),
    ).toEqual(at(120));
    expect(
      nextAttemptAt({
        firstAttemptAt: FIRST,
        attempts: 1,
        now: FIRST,
        retryAfterSeconds: 200_000,
        random: noJitter,
      }),
    ).toEqual(at(86_400));
  });

  it("gives up once the 24 h window has ended, whatever attempt it is", () => {
    expect(
      nextAttemptAt({ firstAttemptAt: FIRST, attempts: 2, now: at(86_400), random: noJitter }),
    ).toBeUndefined();
  });

  it("follows a policy's own pauses (the local service's setting)", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, delaysSeconds: [1, 2], jitter: 0 };

    expect(nextAttemptAt({ firstAttemptAt: FIRST, attempts: 1, now: FIRST, policy })).toEqual(
      at(1),
    );
    expect(nextAttemptAt({ firstAttemptAt: FIRST, attempts: 2, now: at(1), policy })).toEqual(
      at(3),
    );
    expect(nextAttemptAt({ firstAttemptAt: FIRST, attempts: 3, now: at(3), policy })).toEqual(
      at(86_400),
    );
    expect(
      nextAttemptAt({ firstAttemptAt: FIRST, attempts: 4, now: at(86_400), policy }),
    ).toBeUndefined();
  });
});

describe("the delivered events", () => {
  it("are status changes, mails, stale installations, renewals and expiry notices, each endpoint getting all of them unless it named some", () => {
    expect(webhookEventTypeOf("renewal")).toBe("order.renewal");
    expect(webhookEventTypeOf("expiry_notice")).toBe("certificate.expiring");
    expect(EVENT_DETAIL_TYPES["certificate.expiring"]).toBe("Certificate Expiring");
    expect(webhookEventTypeOf("status")).toBe("order.status_changed");
    expect(webhookEventTypeOf("mail")).toBe("order.mail_sent");
    expect(webhookEventTypeOf("installation_stale")).toBe("order.installation_stale");
    expect(webhookEventTypeOf("check")).toBeUndefined();
    expect(webhookEventTypeOf("toString")).toBeUndefined();
    expect(subscribesTo(undefined, "order.mail_sent")).toBe(true);
    expect(subscribesTo(["order.status_changed"], "order.mail_sent")).toBe(false);
    expect(subscribesTo(["order.status_changed"], "order.status_changed")).toBe(true);
  });
});

describe("an endpoint's URL", () => {
  it.each([
    ["http://hooks.example.com/", false, "URL_NOT_HTTPS"],
    ["ftp://hooks.example.com/", true, "URL_NOT_HTTPS"],
    ["hooks.example.com/x", false, "URL_INVALID"],
    ["https://user:pass@hooks.example.com/", false, "URL_INVALID"],
    ["https://hooks.example.com/#part", false, "URL_INVALID"],
    [`https://hooks.example.com/${"a".repeat(2048)}`, false, "URL_INVALID"],
  ])("%s (http allowed: %s) is refused with %s", (url, allowHttp, code) => {
    const parsed = parseWebhookUrl(url, { allowHttp });

    expect("problem" in parsed && parsed.problem.code).toBe(code);
  });

  it("takes https, and http where allowed (loopback test receivers)", () => {
    expect(
      "url" in parseWebhookUrl("https://hooks.example.com:8443/in?x=1", { allowHttp: false }),
    ).toBe(true);
    expect("url" in parseWebhookUrl("http://127.0.0.1:9000/in", { allowHttp: true })).toBe(true);
  });
});
