import { describe, expect, it } from "vitest";
import type { MemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord, ValidationRecord } from "../../../../functions/domain/order-record.ts";
import {
  approvalLinkHash,
  sendApprovalRequests,
} from "../../../../functions/orders/approval-requests.ts";
import type { OrderStore } from "../../../../functions/ports/order-store.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import {
  approvalMails,
  emailValidation,
  secretsMailedTo,
  storeWaitingOrder,
  WAITING_SINCE,
} from "../../../support/email-approvals.ts";
import { pendingValidation } from "../../../support/order-store-contract.ts";
import { callRoute, routeTestDependencies } from "../../../support/route-calls.ts";

const ADMIN = "admin@example.com";
const HOSTMASTER = "hostmaster@example.org";
const RESEND = "/v1/orders/ord_email1/validation/resend";

/**
 * An order waiting for ADMIN (two names) and HOSTMASTER (one), both mailed their links at
 * WAITING_SINCE, with resends at most every `interval` seconds; the store records its interval
 * claims.
 */
async function world(
  options: {
    validations?: readonly ValidationRecord[];
    order?: Partial<OrderRecord>;
    interval?: number;
    at?: Date;
  } = {},
) {
  const clock = fixedClock(options.at ?? WAITING_SINCE);
  const base = routeTestDependencies(clock, {
    settings: {
      ...DEFAULT_WORKFLOW_SETTINGS,
      approvalResendIntervalSeconds: options.interval ?? 300,
    },
  });
  const claims: [string, string, number][] = [];
  const store: OrderStore = {
    ...base.store,
    claimInterval(key, at, minSeconds) {
      claims.push([key, at.toISOString(), minSeconds]);
      return base.store.claimInterval(key, at, minSeconds);
    },
  };
  const deps = { ...base, store };
  const mailer = deps.mailer as MemoryMailer;
  const order = await storeWaitingOrder(
    store,
    options.validations ?? [
      emailValidation("shop.example.com", ADMIN),
      emailValidation("www.example.com", ADMIN),
      emailValidation("example.org", HOSTMASTER),
    ],
    { ...options.order, validationDeadline: "2028-03-20T08:00:00.000Z" },
  );
  await sendApprovalRequests(deps, order, { replace: false, why: "Approval request" });
  const resend = (tenant = "tenant-a") => callRoute(deps, "POST", RESEND, { tenant });
  return { clock, deps, store, mailer, claims, resend };
}

describe("POST /v1/orders/{id}/validation/resend", () => {
  it("mails each approver still waiting a new link and kills the old one", async () => {
    // Prepare
    const { clock, deps, store, mailer, resend } = await world();
    const [oldAdmin = ""] = secretsMailedTo(mailer, ADMIN);
    const [oldHostmaster = ""] = secretsMailedTo(mailer, HOSTMASTER);
    clock.advance(600);

    // Act
    const answer = await resend();

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ id: "ord_email1", mailedTo: [ADMIN, HOSTMASTER] });
    const [, newAdmin = ""] = secretsMailedTo(mailer, ADMIN);
    const [, newHostmaster = ""] = secretsMailedTo(mailer, HOSTMASTER);
    for (const old of [oldAdmin, oldHostmaster]) {
      expect(await store.getApprovalLink(approvalLinkHash(old))).toMatchObject({
        state: "replaced",
        decidedAt: clock.now().toISOString(),
      });
    }
    for (const fresh of [newAdmin, newHostmaster]) {
      expect((await store.getApprovalLink(approvalLinkHash(fresh)))?.state).toBe("pending");
    }
    const old = await callRoute(deps, "GET", `/v1/approvals/${oldAdmin}`, {
      tenant: null,
      headers: { accept: "application/json" },
    });
    expect(old.status).toBe(410);
    expect(old.json.error.code).toBe("APPROVAL_LINK_REPLACED");
    expect((await store.history("ord_email1")).at(-1)?.message).toBe(
      `Approval request (sent again) mailed to ${HOSTMASTER} for example.org.`,
    );
  });

  it("mails no approver who decided already", async () => {
    // Prepare
    const { deps, mailer, resend } = await world();
    const approved = await callRoute(
      deps,
      "POST",
      `/v1/approvals/${secretsMailedTo(mailer, ADMIN)[0]}`,
      { tenant: null, body: { decision: "approve" } },
    );

    // Act
    const answer = await resend();

    // Assess
    expect(approved.status).toBe(200);
    expect(answer.json.mailedTo).toEqual([HOSTMASTER]);
    expect(secretsMailedTo(mailer, ADMIN)).toHaveLength(1);
  });

  it("answers 429 within the interval, claimed in the store per order, and mails again after it", async () => {
    // Prepare
    const { clock, mailer, claims, resend } = await world({ interval: 300 });
    const first = await resend();
    clock.advance(299);

    // Act
    const tooSoon = await resend();
    clock.advance(1);
    const inTime = await resend();

    // Assess
    expect(first.status).toBe(200);
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.json.error.code).toBe("RATE_LIMITED");
    expect(tooSoon.json.error.message).toContain("less than 300 s ago");
    expect(inTime.status).toBe(200);
    expect(claims).toEqual([
      ["resend#ord_email1", "2027-01-10T08:00:00.000Z", 300],
      ["resend#ord_email1", "2027-01-10T08:04:59.000Z", 300],
      ["resend#ord_email1", "2027-01-10T08:05:00.000Z", 300],
    ]);
    expect(approvalMails(mailer)).toHaveLength(2 + 2 + 2);
  });

  it("claims nothing when the interval is 0", async () => {
    // Prepare
    const { claims, resend } = await world({ interval: 0 });

    // Act
    const answers = [await resend(), await resend()];

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(claims).toEqual([]);
  });

  it.each(["SUBMITTED", "ISSUING", "FAILED"] as const)(
    "answers 409 NOT_WAITING_FOR_VALIDATION when the order is %s",
    async (status) => {
      // Prepare
      const { mailer, claims, resend } = await world({ order: { status } });
      const mailedBefore = mailer.sent.length;

      // Act
      const answer = await resend();

      // Assess
      expect(answer.status).toBe(409);
      expect(answer.json.error.code).toBe("NOT_WAITING_FOR_VALIDATION");
      expect(mailer.sent).toHaveLength(mailedBefore);
      expect(claims).toEqual([]);
    },
  );

  it.each([
    ["every approver decided", [emailValidation("shop.example.com", ADMIN, "published")]],
    ["the names are validated by DNS", [pendingValidation("shop.example.com")]],
  ])("answers 409 NO_APPROVAL_PENDING when %s", async (_case, validations) => {
    // Prepare
    const { claims, resend } = await world({ validations });

    // Act
    const answer = await resend();

    // Assess
    expect(answer.status).toBe(409);
    expect(answer.json.error.code).toBe("NO_APPROVAL_PENDING");
    expect(claims).toEqual([]);
  });

  it("answers 422 EMAIL_VALIDATION_RETIRED from 2028-03-15 on, and resends the instant before", async () => {
    // Prepare
    const { clock, resend } = await world({ at: new Date("2028-03-14T23:59:59.999Z") });

    // Act
    const before = await resend();
    clock.advance(0.001);
    const retired = await resend();

    // Assess
    expect(before.status).toBe(200);
    expect(retired.status).toBe(422);
    expect(retired.json.error.code).toBe("EMAIL_VALIDATION_RETIRED");
  });

  it("answers 404 to another tenant", async () => {
    // Prepare
    const { mailer, resend } = await world();
    const mailedBefore = mailer.sent.length;

    // Act
    const answer = await resend("tenant-b");

    // Assess
    expect(answer.status).toBe(404);
    expect(mailer.sent).toHaveLength(mailedBefore);
  });
});
