import { describe, expect, it } from "vitest";
import { createTokenBucket } from "../../../functions/domain/token-bucket.ts";
import { MailNotSent, refusalOf, sendMails } from "../../../functions/mail/mail-sending.ts";
import type { MailMessage } from "../../../functions/ports/mailer.ts";

const mail = (n: number): MailMessage => ({
  to: [`customer${n}@shop.example`],
  subject: `Mail ${n}`,
  text: `Approve: https://certflow.example/approve?secret=s3cret-${n}`,
});

const named = (name: string, message = "refused") => Object.assign(new Error(message), { name });

/** A clock that moves only when the sender sleeps, and a record of when each mail was sent. */
function simulatedTime() {
  let nowMs = 0;
  return {
    nowMs: () => nowMs,
    sleep: async (ms: number) => {
      nowMs += ms;
    },
  };
}

function recordingDelivery(
  time: { nowMs: () => number },
  fail: (message: MailMessage) => Error | undefined = () => undefined,
) {
  const sent: { subject: string; atMs: number }[] = [];
  return {
    sent,
    mailDelivery: {
      async send(message: MailMessage) {
        const error = fail(message);
        if (error !== undefined) throw error;
        sent.push({ subject: message.subject, atMs: time.nowMs() });
      },
    },
  };
}

describe("the mail sender", () => {
  it("sends a batch at its share of the rate: 14 a second between 2 senders is one every 1/7 s", async () => {
    const time = simulatedTime();
    const delivery = recordingDelivery(time);
    const bucket = createTokenBucket({ ratePerSecond: 14 / 2, burst: 1, nowMs: time.nowMs });
    const logged: unknown[] = [];

    const outcome = await sendMails(
      { ...delivery, bucket, sleep: time.sleep, logError: (error) => logged.push(error) },
      Array.from({ length: 10 }, (_, n) => mail(n)),
    );

    expect(outcome).toEqual({ failed: [], sent: 10, dropped: 0 });
    expect(delivery.sent.map(({ subject }) => subject)).toEqual(
      Array.from({ length: 10 }, (_, n) => `Mail ${n}`),
    );
    // The first at once, then one per token: 9 more in 9/7 s, never two closer than 1/7 s.
    const times = delivery.sent.map(({ atMs }) => atMs);
    expect(times[0]).toBe(0);
    for (let n = 1; n < times.length; n += 1) {
      expect((times[n] ?? 0) - (times[n - 1] ?? 0)).toBeGreaterThanOrEqual(142);
    }
    expect(times.at(-1)).toBeGreaterThanOrEqual(1_285);
    expect(times.at(-1)).toBeLessThanOrEqual(1_300);
    expect(logged).toEqual([]);
  });

  it("keeps the pace across batches of the same sender (the bucket outlives a batch)", async () => {
    const time = simulatedTime();
    const delivery = recordingDelivery(time);
    const bucket = createTokenBucket({ ratePerSecond: 2, burst: 1, nowMs: time.nowMs });
    const deps = { ...delivery, bucket, sleep: time.sleep, logError: () => {} };

    await sendMails(deps, [mail(1), mail(2)]);
    await sendMails(deps, [mail(3), mail(4)]);

    expect(delivery.sent.map(({ atMs }) => atMs)).toEqual([0, 500, 1_000, 1_500]);
  });

  it("hands back a mail SES throttled and the rest of its batch unsent, naming the error only", async () => {
    const time = simulatedTime();
    const delivery = recordingDelivery(time, (message) =>
      message.subject === "Mail 2"
        ? named("ThrottlingException", "Maximum sending rate exceeded.")
        : undefined,
    );
    const bucket = createTokenBucket({ ratePerSecond: 7, burst: 1, nowMs: time.nowMs });
    const logged: unknown[] = [];

    const outcome = await sendMails(
      { ...delivery, bucket, sleep: time.sleep, logError: (error) => logged.push(error) },
      [0, 1, 2, 3, 4].map(mail),
    );

    expect(outcome).toEqual({ failed: [2, 3, 4], sent: 2, dropped: 0 });
    expect(delivery.sent.map(({ subject }) => subject)).toEqual(["Mail 0", "Mail 1"]);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toBeInstanceOf(MailNotSent);
    const text = String((logged[0] as Error).message);
    expect(text).toContain("ThrottlingException");
    expect(text).not.toMatch(/s3cret|customer|Mail 2|shop\.example/);
  });

  it("hands back the batch when SES refuses the whole account, so a redrive can send it once fixed", async () => {
    const time = simulatedTime();
    const delivery = recordingDelivery(time, () => named("SendingPausedException"));
    const bucket = createTokenBucket({ ratePerSecond: 7, burst: 1, nowMs: time.nowMs });

    const outcome = await sendMails(
      { ...delivery, bucket, sleep: time.sleep, logError: () => {} },
      [0, 1, 2].map(mail),
    );

    expect(outcome).toEqual({ failed: [0, 1, 2], sent: 0, dropped: 0 });
  });

  it("drops a mail SES can never take, logging SES's error by name, and sends the others", async () => {
    const time = simulatedTime();
    const delivery = recordingDelivery(time, (message) =>
      message.subject === "Mail 1"
        ? named("MessageRejected", "Email address is not verified")
        : undefined,
    );
    const bucket = createTokenBucket({ ratePerSecond: 7, burst: 1, nowMs: time.nowMs });
    const logged: unknown[] = [];

    const outcome = await sendMails(
      { ...delivery, bucket, sleep: time.sleep, logError: (error) => logged.push(error) },
      [0, 1, 2].map(mail),
    );

    expect(outcome).toEqual({ failed: [], sent: 2, dropped: 1 });
    expect(delivery.sent.map(({ subject }) => subject)).toEqual(["Mail 0", "Mail 2"]);
    expect((logged[0] as Error).message).toBe(
      "SES refused a mail for good (MessageRejected): dropped, not sent again.",
    );
  });

  it("hands back only the mail whose send failed otherwise (a network error), and goes on", async () => {
    const time = simulatedTime();
    const delivery = recordingDelivery(time, (message) =>
      message.subject === "Mail 0" ? named("TimeoutError") : undefined,
    );
    const bucket = createTokenBucket({ ratePerSecond: 7, burst: 1, nowMs: time.nowMs });

    const outcome = await sendMails(
      { ...delivery, bucket, sleep: time.sleep, logError: () => {} },
      [0, 1].map(mail),
    );

    expect(outcome).toEqual({ failed: [0], sent: 1, dropped: 0 });
  });

  it("tells SES's errors apart by name", () => {
    for (const name of [
      "ThrottlingException",
      "Throttling",
      "TooManyRequestsException",
      "LimitExceededException",
    ]) {
      expect(refusalOf(named(name)), name).toBe("throttled");
    }
    for (const name of [
      "SendingPausedException",
      "AccountSuspendedException",
      "MailFromDomainNotVerifiedException",
      "NotFoundException",
    ]) {
      expect(refusalOf(named(name)), name).toBe("account");
    }
    expect(refusalOf(named("MessageRejected"))).toBe("mail");
    expect(refusalOf(named("BadRequestException"))).toBe("mail");
    expect(refusalOf(named("InternalFailure"))).toBe("other");
    expect(refusalOf("not an error")).toBe("other");
  });
});
