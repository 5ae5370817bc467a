import { describe, expect, it } from "vitest";
import { createMemoryMailer } from "../../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../functions/domain/clock.ts";
import type { OrderRecord, ValidationRecord } from "../../../functions/domain/order-record.ts";
import {
  approvalView,
  decideApproval,
  lookUpApproval,
} from "../../../functions/orders/approval-decisions.ts";
import {
  approvalLinkHash,
  sendApprovalRequests,
} from "../../../functions/orders/approval-requests.ts";
import { updateOrder } from "../../../functions/orders/order-updates.ts";
import type { OrderStore } from "../../../functions/ports/order-store.ts";
import {
  DEADLINE,
  emailValidation,
  orderName,
  recordingEngine,
  secretsMailedTo,
  storeWaitingOrder,
  taskWokenAlready,
  WAITING_SINCE,
} from "../../support/email-approvals.ts";
import { pendingValidation } from "../../support/order-store-contract.ts";

const ADMIN = "admin@example.com";
const HOSTMASTER = "hostmaster@example.org";
const ORDER_ID = "ord_email1";

const TWO_APPROVERS: readonly ValidationRecord[] = [
  emailValidation("shop.example.com", ADMIN),
  emailValidation("www.example.com", ADMIN),
  emailValidation("example.org", HOSTMASTER),
];

/**
 * An order waiting for `validations` whose approvers were mailed their links, parked on
 * `token-1` (unless `waitToken` is undefined), and an engine recording what it is sent.
 */
async function world(
  options: {
    validations?: readonly ValidationRecord[];
    order?: Partial<OrderRecord>;
    engineAnswer?: () => void;
    deadline?: string;
    at?: Date;
  } = {},
) {
  const clock = fixedClock(options.at ?? WAITING_SINCE);
  const store = createMemoryOrderStore(clock);
  const mailer = createMemoryMailer();
  const order = await storeWaitingOrder(store, options.validations ?? TWO_APPROVERS, {
    waitToken: "token-1",
    validationDeadline: options.deadline ?? DEADLINE,
    ...options.order,
  });
  await sendApprovalRequests(
    { store, mailer, clock, settings: { publicApiUrl: "https://api.certflow.test" } },
    order,
    { replace: false, why: "Approval request" },
  );
  const engine = recordingEngine(options.engineAnswer);
  const deps = { store, clock, workflow: engine.workflow };
  const secretOf = (approver: string) => secretsMailedTo(mailer, approver).at(-1) ?? "";
  const stored = async () => {
    const current = await store.get(ORDER_ID);
    if (current === undefined) throw new Error("the order is gone");
    return current;
  };
  const statuses = async () =>
    (await stored()).validations.map((validation) => [validation.domain, validation.status]);
  return { clock, store, mailer, deps, engine, secretOf, stored, statuses };
}

/** Settles `secret`'s link as `state` at `at`, as a decision or a resend would. */
async function settle(
  store: OrderStore,
  secret: string,
  state: "approved" | "declined" | "replaced",
  at: string,
) {
  await store.settleApprovalLink(approvalLinkHash(secret), { state, at });
}

const refusalOf = (lookup: Awaited<ReturnType<typeof lookUpApproval>>) =>
  lookup.ok ? undefined : lookup.refusal;

describe("lookUpApproval", () => {
  it("finds a pending link and its order", async () => {
    // Prepare
    const { store, secretOf, clock } = await world();

    // Act
    const found = await lookUpApproval(store, secretOf(ADMIN), clock.now());

    // Assess
    expect(found.ok).toBe(true);
    if (!found.ok) return;
    expect(found.link).toMatchObject({ approver: ADMIN, state: "pending", orderId: ORDER_ID });
    expect(found.order.orderId).toBe(ORDER_ID);
  });

  it.each([
    ["a secret never mailed", "Q".repeat(43)],
    ["a secret of the wrong length", "Q".repeat(42)],
    ["a secret with characters base64url has not", `${"Q".repeat(42)}/`],
    ["nothing", ""],
  ])("answers 404 APPROVAL_LINK_UNKNOWN for %s", async (_case, secret) => {
    // Prepare
    const { store, clock } = await world();

    // Act
    const found = await lookUpApproval(store, secret, clock.now());

    // Assess
    expect(refusalOf(found)).toMatchObject({ status: 404, code: "APPROVAL_LINK_UNKNOWN" });
  });

  it.each([
    ["approved", "APPROVAL_LINK_USED", "Already approved"],
    ["declined", "APPROVAL_LINK_DECLINED", "Already declined"],
    ["replaced", "APPROVAL_LINK_REPLACED", "A newer link was sent"],
  ] as const)("answers a link %s before 410 %s, saying when", async (state, code, title) => {
    // Prepare
    const { store, secretOf, clock } = await world();
    const settledAt = "2027-01-10T09:15:00.000Z";
    await settle(store, secretOf(ADMIN), state, settledAt);
    clock.set(new Date("2027-01-10T10:00:00Z"));

    // Act
    const found = await lookUpApproval(store, secretOf(ADMIN), clock.now());

    // Assess
    const refusal = refusalOf(found);
    expect(refusal).toMatchObject({ status: 410, code, title });
    expect(refusal?.message).toContain(settledAt);
  });

  it("tells a replaced link's approver to use the latest mail to them", async () => {
    // Prepare
    const { store, secretOf, clock } = await world();
    await settle(store, secretOf(HOSTMASTER), "replaced", clock.now().toISOString());

    // Act
    const found = await lookUpApproval(store, secretOf(HOSTMASTER), clock.now());

    // Assess
    expect(refusalOf(found)?.message).toContain(`the latest mail to ${HOSTMASTER}`);
  });

  it("answers 410 APPROVAL_LINK_EXPIRED from the link's validUntil on, not a millisecond before", async () => {
    // Prepare
    const { store, secretOf } = await world();
    const deadline = new Date(DEADLINE);

    // Act
    const before = await lookUpApproval(store, secretOf(ADMIN), new Date(deadline.getTime() - 1));
    const at = await lookUpApproval(store, secretOf(ADMIN), deadline);
    const after = await lookUpApproval(store, secretOf(ADMIN), new Date(deadline.getTime() + 1));

    // Assess
    expect(before.ok).toBe(true);
    for (const expired of [at, after]) {
      expect(refusalOf(expired)).toMatchObject({ status: 410, code: "APPROVAL_LINK_EXPIRED" });
      expect(refusalOf(expired)?.message).toContain(DEADLINE);
    }
  });

  it("answers 410 EMAIL_VALIDATION_RETIRED from 2028-03-15 on, and takes the link the instant before", async () => {
    // Prepare: an order that waits across the day email validation ends.
    const { store, secretOf } = await world({
      at: new Date("2028-03-14T12:00:00Z"),
      deadline: "2028-03-15T12:00:00.000Z",
    });

    // Act
    const lastInstant = await lookUpApproval(
      store,
      secretOf(ADMIN),
      new Date("2028-03-14T23:59:59.999Z"),
    );
    const retiredDay = await lookUpApproval(
      store,
      secretOf(ADMIN),
      new Date("2028-03-15T00:00:00.000Z"),
    );

    // Assess
    expect(lastInstant.ok).toBe(true);
    expect(refusalOf(retiredDay)).toMatchObject({
      status: 410,
      code: "EMAIL_VALIDATION_RETIRED",
      title: "Email approval has ended",
    });
    expect(refusalOf(retiredDay)?.message).toContain("switch the order to DNS or HTTP");
  });

  it.each([
    ["CANCELLED", "cancelled"],
    ["ISSUED", "issued"],
    ["ISSUING", "issuing"],
  ] as const)("answers 410 ORDER_NOT_WAITING when the order is %s", async (status, shown) => {
    // Prepare
    const { store, secretOf, clock } = await world();
    await store.update((await store.get(ORDER_ID)) as OrderRecord, { status });

    // Act
    const found = await lookUpApproval(store, secretOf(ADMIN), clock.now());

    // Assess
    expect(refusalOf(found)).toMatchObject({ status: 410, code: "ORDER_NOT_WAITING" });
    expect(refusalOf(found)?.message).toContain(`(it is ${shown})`);
  });

  it("answers 410 ORDER_NOT_WAITING when the order is gone", async () => {
    // Prepare: a link of an order the store does not hold.
    const { store, clock } = await world();
    const secret = "G".repeat(43);
    await store.putApprovalLink({
      linkHash: approvalLinkHash(secret),
      orderId: "ord_gone",
      tenantId: "tenant-a",
      approver: ADMIN,
      names: ["shop.example.com"],
      createdAt: WAITING_SINCE.toISOString(),
      validUntil: DEADLINE,
      state: "pending",
    });

    // Act
    const found = await lookUpApproval(store, secret, clock.now());

    // Assess
    expect(refusalOf(found)).toMatchObject({ status: 410, code: "ORDER_NOT_WAITING" });
    expect(refusalOf(found)?.message).toContain("(it is gone)");
  });
});

describe("approvalView", () => {
  it("shows the link's names as displayed, the requester and the link's end, nothing of the order else", async () => {
    // Prepare
    const { store, secretOf, clock } = await world({
      validations: [
        emailValidation("xn--bcher-kva.example", "admin@xn--bcher-kva.example"),
        emailValidation("other.example", "admin@other.example"),
      ],
      order: {
        names: [orderName("xn--bcher-kva.example", "bücher.example"), orderName("other.example")],
        organization: { name: "Bücher AG", locality: "Köln", state: "NRW", country: "DE" },
      },
    });
    const found = await lookUpApproval(store, secretOf("admin@xn--bcher-kva.example"), clock.now());
    if (!found.ok) throw new Error("the link is refused");

    // Act
    const view = approvalView(found.link, found.order);

    // Assess
    expect(view).toEqual({
      approver: "admin@xn--bcher-kva.example",
      names: ["bücher.example"],
      requestedBy: "Bücher AG (Ada, ada@example.com)",
      expiresAt: DEADLINE,
    });
  });
});

describe("decideApproval", () => {
  it("settles the link approved and publishes only that approver's waiting email names", async () => {
    // Prepare
    const { deps, secretOf, store, clock, statuses, stored } = await world({
      validations: [
        ...TWO_APPROVERS,
        pendingValidation("dns.example.com"),
        // Listed on ADMIN's link once, but switched to another approver since.
        emailValidation("other.example.com", ADMIN),
      ],
    });
    await updateOrder(store, ORDER_ID, (order) => ({
      changes: {
        validations: order.validations.map((validation) =>
          validation.domain === "other.example.com"
            ? emailValidation(validation.domain, "webmaster@example.com")
            : validation,
        ),
      },
    }));
    clock.advance(120);
    const at = clock.now().toISOString();

    // Act
    const answer = await decideApproval(deps, secretOf(ADMIN), "approve", undefined);

    // Assess
    expect(answer).toEqual({
      ok: true,
      view: {
        approver: ADMIN,
        names: ["shop.example.com", "www.example.com", "other.example.com"],
        requestedBy: "Ada (ada@example.com)",
        expiresAt: DEADLINE,
      },
    });
    expect(await store.getApprovalLink(approvalLinkHash(secretOf(ADMIN)))).toMatchObject({
      state: "approved",
      decidedAt: at,
    });
    expect(await statuses()).toEqual([
      ["shop.example.com", "published"],
      ["www.example.com", "published"],
      ["example.org", "pending"],
      ["dns.example.com", "pending"],
      ["other.example.com", "pending"],
    ]);
    expect((await stored()).validations[0]?.lastCheck).toEqual({
      at,
      ok: true,
      detail: `Approved by ${ADMIN}.`,
    });
    expect((await store.history(ORDER_ID)).at(-1)).toEqual({
      at,
      type: "approval",
      message: `${ADMIN} approved shop.example.com, www.example.com, other.example.com.`,
    });
  });

  it("does not wake the wait while another approver's names still wait", async () => {
    // Prepare
    const { deps, secretOf, engine } = await world();

    // Act
    await decideApproval(deps, secretOf(ADMIN), "approve", undefined);

    // Assess
    expect(engine.calls).toEqual([]);
  });

  it("wakes the parked wait with done once every name is published or valid", async () => {
    // Prepare
    const { deps, secretOf, engine, statuses } = await world({
      validations: [
        emailValidation("shop.example.com", ADMIN),
        emailValidation("www.example.com", HOSTMASTER, "published"),
        { ...pendingValidation("dns.example.com"), status: "valid" },
        { ...pendingValidation("txt.example.com"), status: "published" },
      ],
    });

    // Act
    await decideApproval(deps, secretOf(ADMIN), "approve", undefined);

    // Assess
    expect(await statuses()).toEqual([
      ["shop.example.com", "published"],
      ["www.example.com", "published"],
      ["dns.example.com", "valid"],
      ["txt.example.com", "published"],
    ]);
    expect(engine.calls).toEqual([
      { kind: "success", token: "token-1", output: { done: true, reason: "approved by email" } },
    ]);
  });

  it("wakes the wait when the second of two approvers approves", async () => {
    // Prepare
    const { deps, secretOf, engine } = await world();
    await decideApproval(deps, secretOf(ADMIN), "approve", undefined);

    // Act
    await decideApproval(deps, secretOf(HOSTMASTER), "approve", undefined);

    // Assess
    expect(engine.calls).toEqual([
      { kind: "success", token: "token-1", output: { done: true, reason: "approved by email" } },
    ]);
  });

  it("wakes nothing when no wait is parked: the next turn finds the approval", async () => {
    // Prepare
    const { deps, secretOf, engine, statuses } = await world({
      validations: [emailValidation("shop.example.com", ADMIN)],
      order: { waitToken: undefined },
    });

    // Act
    const answer = await decideApproval(deps, secretOf(ADMIN), "approve", undefined);

    // Assess
    expect(answer.ok).toBe(true);
    expect(engine.calls).toEqual([]);
    expect(await statuses()).toEqual([["shop.example.com", "published"]]);
  });

  it("on decline marks that approver's names invalid with the reason and fails the wait with ApprovalDeclined", async () => {
    // Prepare
    const { deps, secretOf, engine, statuses, stored, store, clock } = await world();
    const at = clock.now().toISOString();

    // Act
    const answer = await decideApproval(deps, secretOf(ADMIN), "decline", "We did not order this");

    // Assess
    expect(answer.ok).toBe(true);
    expect(await statuses()).toEqual([
      ["shop.example.com", "invalid"],
      ["www.example.com", "invalid"],
      ["example.org", "pending"],
    ]);
    expect((await stored()).validations[0]?.lastCheck).toEqual({
      at,
      ok: false,
      cause: "APPROVER_DECLINED",
      detail: `${ADMIN} declined: We did not order this`,
    });
    expect(await store.getApprovalLink(approvalLinkHash(secretOf(ADMIN)))).toMatchObject({
      state: "declined",
      decidedAt: at,
      reason: "We did not order this",
    });
    expect(engine.calls).toEqual([
      {
        kind: "failure",
        token: "token-1",
        error: "ApprovalDeclined",
        cause: `${ADMIN} declined shop.example.com, www.example.com: We did not order this`,
      },
    ]);
    expect((await store.history(ORDER_ID)).at(-1)?.message).toBe(
      `${ADMIN} declined shop.example.com, www.example.com: We did not order this.`,
    );
  });

  it("on decline without a reason says only who declined", async () => {
    // Prepare
    const { deps, secretOf, engine, stored, store } = await world();

    // Act
    await decideApproval(deps, secretOf(HOSTMASTER), "decline", undefined);

    // Assess
    expect((await stored()).validations[2]?.lastCheck?.detail).toBe(`${HOSTMASTER} declined`);
    expect(engine.calls).toEqual([
      {
        kind: "failure",
        token: "token-1",
        error: "ApprovalDeclined",
        cause: `${HOSTMASTER} declined example.org`,
      },
    ]);
    const link = await store.getApprovalLink(approvalLinkHash(secretOf(HOSTMASTER)));
    expect(link !== undefined && "reason" in link).toBe(false);
  });

  it.each(["approve", "decline"] as const)(
    "records the decision %s when the wait was woken already (TaskNotWaiting)",
    async (decision) => {
      // Prepare
      const { deps, secretOf, store } = await world({
        validations: [emailValidation("shop.example.com", ADMIN)],
        engineAnswer: taskWokenAlready,
      });

      // Act
      const answer = await decideApproval(deps, secretOf(ADMIN), decision, undefined);

      // Assess
      expect(answer.ok).toBe(true);
      expect((await store.getApprovalLink(approvalLinkHash(secretOf(ADMIN))))?.state).toBe(
        decision === "approve" ? "approved" : "declined",
      );
    },
  );

  it("fails on any other error of the engine, the decision recorded", async () => {
    // Prepare
    const { deps, secretOf, statuses } = await world({
      validations: [emailValidation("shop.example.com", ADMIN)],
      engineAnswer: () => {
        throw new Error("ThrottlingException");
      },
    });

    // Act
    const failure = await decideApproval(deps, secretOf(ADMIN), "approve", undefined).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(failure).toMatchObject({ message: "ThrottlingException" });
    expect(await statuses()).toEqual([["shop.example.com", "published"]]);
  });

  it("decides once: a second decision answers 410 with what the first decided", async () => {
    // Prepare
    const { deps, secretOf, engine, statuses } = await world({
      validations: [emailValidation("shop.example.com", ADMIN)],
    });
    await decideApproval(deps, secretOf(ADMIN), "approve", undefined);

    // Act
    const second = await decideApproval(deps, secretOf(ADMIN), "decline", "changed my mind");

    // Assess
    expect(second).toMatchObject({
      ok: false,
      refusal: { status: 410, code: "APPROVAL_LINK_USED" },
    });
    expect(await statuses()).toEqual([["shop.example.com", "published"]]);
    expect(engine.calls).toHaveLength(1);
  });

  it("finishes a decision whose link was settled by an attempt that stopped before the order took it", async () => {
    // Prepare: the link says approved, the order never heard of it.
    const { deps, store, secretOf, engine, statuses, clock } = await world({
      validations: [emailValidation("shop.example.com", ADMIN)],
    });
    await settle(store, secretOf(ADMIN), "approved", clock.now().toISOString());

    // Act
    const other = await decideApproval(deps, secretOf(ADMIN), "decline", "no");
    const again = await decideApproval(deps, secretOf(ADMIN), "approve", undefined);
    const third = await decideApproval(deps, secretOf(ADMIN), "approve", undefined);

    // Assess
    expect(other).toMatchObject({ ok: false, refusal: { code: "APPROVAL_LINK_USED" } });
    expect(again.ok).toBe(true);
    expect(await statuses()).toEqual([["shop.example.com", "published"]]);
    expect(engine.calls).toHaveLength(1);
    expect(third).toMatchObject({ ok: false, refusal: { code: "APPROVAL_LINK_USED" } });
  });

  it("of two racing decisions lets one win and answers the other 410", async () => {
    // Prepare
    const { deps, secretOf, engine, statuses } = await world({
      validations: [emailValidation("shop.example.com", ADMIN)],
    });
    const secret = secretOf(ADMIN);

    // Act
    const [approve, decline] = await Promise.all([
      decideApproval(deps, secret, "approve", undefined),
      decideApproval(deps, secret, "decline", "no"),
    ]);

    // Assess
    const answers = [approve, decline];
    expect(answers.filter((answer) => answer.ok)).toHaveLength(1);
    const won = approve.ok ? "approve" : "decline";
    const lost = answers.find((answer) => !answer.ok);
    expect(lost).toMatchObject({
      ok: false,
      refusal: {
        status: 410,
        code: won === "approve" ? "APPROVAL_LINK_USED" : "APPROVAL_LINK_DECLINED",
      },
    });
    expect(await statuses()).toEqual([
      ["shop.example.com", won === "approve" ? "published" : "invalid"],
    ]);
    expect(engine.calls).toHaveLength(1);
    expect(engine.calls[0]?.kind).toBe(won === "approve" ? "success" : "failure");
  });

  it("passes a refusal of the lookup on and changes nothing", async () => {
    // Prepare
    const { deps, secretOf, engine, stored, clock } = await world();
    const before = await stored();
    clock.set(new Date(DEADLINE));

    // Act
    const answer = await decideApproval(deps, secretOf(ADMIN), "approve", undefined);

    // Assess
    expect(answer).toMatchObject({ ok: false, refusal: { code: "APPROVAL_LINK_EXPIRED" } });
    expect(await stored()).toEqual(before);
    expect(engine.calls).toEqual([]);
  });

  it("leaves an order that moved on while the decision was taken, and wakes nothing", async () => {
    // Prepare: the order is cancelled between the lookup and the settlement.
    const { deps, secretOf, engine, store, statuses } = await world({
      validations: [emailValidation("shop.example.com", ADMIN)],
    });
    const cancelling: OrderStore = {
      ...store,
      async settleApprovalLink(linkHash, settlement) {
        await updateOrder(store, ORDER_ID, () => ({ changes: { status: "CANCELLED" } }));
        return store.settleApprovalLink(linkHash, settlement);
      },
    };

    // Act
    await decideApproval({ ...deps, store: cancelling }, secretOf(ADMIN), "approve", undefined);

    // Assess
    expect(await statuses()).toEqual([["shop.example.com", "pending"]]);
    expect(engine.calls).toEqual([]);
  });
});
