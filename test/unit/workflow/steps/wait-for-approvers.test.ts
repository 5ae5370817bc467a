import { describe, expect, it } from "vitest";
import { createMemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { ValidationRecord } from "../../../../functions/domain/order-record.ts";
import { decideApproval } from "../../../../functions/orders/approval-decisions.ts";
import { sendApprovalRequests } from "../../../../functions/orders/approval-requests.ts";
import { updateOrder } from "../../../../functions/orders/order-updates.ts";
import type { DcvChecker, Publication } from "../../../../functions/ports/dcv-checker.ts";
import type { OrderStore } from "../../../../functions/ports/order-store.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import {
  DEADLINE,
  emailValidation,
  recordingEngine,
  secretsMailedTo,
  storeWaitingOrder,
  WAITING_SINCE,
} from "../../../support/email-approvals.ts";
import { pendingValidation } from "../../../support/order-store-contract.ts";

const ORDER_ID = "ord_email1";
const ADMIN = "admin@example.com";
const DAY = 86_400;

/** The step's world for an order waiting for `validations` since WAITING_SINCE until DEADLINE. */
async function waitingOrder(
  validations: readonly ValidationRecord[],
  options: { whileLooking?: (store: OrderStore) => Promise<void>; found?: boolean } = {},
) {
  const clock = fixedClock(WAITING_SINCE);
  const store = createMemoryOrderStore(clock);
  await storeWaitingOrder(store, validations);
  const engine = recordingEngine();
  const looked: Publication[] = [];
  const dcv: DcvChecker = {
    async check(publication) {
      looked.push(publication);
      await options.whileLooking?.(store);
      return options.found === true
        ? { ok: true }
        : { ok: false, cause: "NO_RECORD", detail: "No TXT record yet." };
    },
  };
  const deps = {
    clock,
    store,
    dcv,
    workflow: engine.workflow,
    settings: DEFAULT_WORKFLOW_SETTINGS,
    logError: () => undefined,
  } as unknown as StepDependencies;
  const turn = (taskToken: string, waitSeconds: number, checkedAt?: string) =>
    runDeclaredStep(deps, "WaitForCustomerToPublish", {
      orderId: ORDER_ID,
      taskToken,
      turn: checkedAt === undefined ? { waitSeconds } : { waitSeconds, checkedAt },
    });
  const checks = async () =>
    (await store.history(ORDER_ID)).filter((event) => event.type === "check");
  return { clock, store, engine, looked, turn, checks };
}

const declined = (domain: string, detail: string): ValidationRecord => ({
  ...emailValidation(domain, ADMIN, "invalid"),
  lastCheck: { at: WAITING_SINCE.toISOString(), ok: false, cause: "APPROVER_DECLINED", detail },
});

describe("WaitForCustomerToPublish for an order waiting only for approvers", () => {
  it("looks at nothing, and keeps a turn that already runs to the deadline", async () => {
    // Prepare
    const world = await waitingOrder([
      emailValidation("shop.example.com", ADMIN),
      emailValidation("www.example.com", ADMIN),
    ]);

    // Act
    await world.turn("token-1", DAY);

    // Assess
    expect(world.looked).toEqual([]);
    expect(world.engine.calls).toEqual([]);
    expect((await world.store.get(ORDER_ID))?.waitToken).toBe("token-1");
    expect((await world.checks()).map((event) => event.message)).toEqual([
      `Check 1: shop.example.com: waiting for ${ADMIN} to approve; www.example.com: waiting for ${ADMIN} to approve; next check in ${DAY} s.`,
    ]);
  });

  it("turns a shorter wait into one turn up to the deadline", async () => {
    // Prepare
    const world = await waitingOrder([emailValidation("shop.example.com", ADMIN)]);
    world.clock.advance(3600);

    // Act
    await world.turn("token-2", 900);

    // Assess
    expect(world.engine.calls).toEqual([
      {
        kind: "success",
        token: "token-2",
        output: {
          done: false,
          waitSeconds: DAY - 3600,
          checkedAt: world.clock.now().toISOString(),
        },
      },
    ]);
  });

  it("parks the turn that follows at once, without looking", async () => {
    // Prepare
    const world = await waitingOrder([emailValidation("shop.example.com", ADMIN)]);

    // Act
    await world.turn("token-3", DAY, world.clock.now().toISOString());

    // Assess
    expect(world.engine.calls).toEqual([]);
    expect(await world.checks()).toEqual([]);
    expect((await world.store.get(ORDER_ID))?.waitToken).toBe("token-3");
  });

  it("fails with ValidationTimedOut when the turn ends at the deadline unapproved", async () => {
    // Prepare
    const world = await waitingOrder([emailValidation("shop.example.com", ADMIN)]);
    world.clock.set(new Date(DEADLINE));

    // Act
    await world.turn("token-4", DAY, WAITING_SINCE.toISOString());

    // Assess
    expect(world.engine.calls).toEqual([
      {
        kind: "failure",
        token: "token-4",
        error: "ValidationTimedOut",
        cause: "The validation deadline passed before every record or file was published.",
      },
    ]);
  });

  it("waits by the cadence of checks while a DNS record is awaited too, and looks only at it", async () => {
    // Prepare
    const world = await waitingOrder([
      emailValidation("shop.example.com", ADMIN),
      pendingValidation("dns.example.com"),
    ]);

    // Act
    await world.turn("token-5", DAY);

    // Assess
    expect(world.looked.map((publication) => publication.kind)).toEqual(["dns-txt"]);
    expect(world.engine.calls).toEqual([
      {
        kind: "success",
        token: "token-5",
        output: { done: false, waitSeconds: 900, checkedAt: WAITING_SINCE.toISOString() },
      },
    ]);
  });

  it.each([
    ["a turn that looks", undefined],
    ["a parked turn", WAITING_SINCE.toISOString()],
  ])("in %s, fails with ApprovalDeclined when an approver declined", async (_case, checkedAt) => {
    // Prepare: declined while no task was waiting to be failed.
    const world = await waitingOrder([
      declined("shop.example.com", `${ADMIN} declined: not ours`),
      emailValidation("www.example.com", "admin@example.org"),
    ]);

    // Act
    await world.turn("token-6", DAY, checkedAt);

    // Assess
    expect(world.engine.calls).toEqual([
      {
        kind: "failure",
        token: "token-6",
        error: "ApprovalDeclined",
        cause: `shop.example.com: ${ADMIN} declined: not ours`,
      },
    ]);
  });

  it.each([
    ["a turn that looks", undefined],
    ["a parked turn", WAITING_SINCE.toISOString()],
  ])("in %s, ends the wait when every approver approved", async (_case, checkedAt) => {
    // Prepare: approved while no task was waiting to be woken.
    const world = await waitingOrder([
      emailValidation("shop.example.com", ADMIN, "published"),
      emailValidation("www.example.com", "admin@example.org", "published"),
    ]);

    // Act
    await world.turn("token-7", DAY, checkedAt);

    // Assess
    expect(world.engine.calls).toEqual([
      { kind: "success", token: "token-7", output: { done: true, waitSeconds: DAY } },
    ]);
  });

  it("keeps its token where the approver's decision wakes it", async () => {
    // Prepare
    const world = await waitingOrder([emailValidation("shop.example.com", ADMIN)]);
    const mailer = createMemoryMailer();
    const order = await world.store.get(ORDER_ID);
    if (order === undefined) throw new Error("no order");
    await sendApprovalRequests(
      {
        store: world.store,
        mailer,
        clock: world.clock,
        settings: { publicApiUrl: "https://api.certflow.test" },
      },
      order,
      { replace: false, why: "Approval request" },
    );
    await world.turn("token-8", DAY);
    world.clock.advance(600);

    // Act
    await decideApproval(
      { store: world.store, clock: world.clock, workflow: world.engine.workflow },
      secretsMailedTo(mailer, ADMIN)[0] ?? "",
      "approve",
      undefined,
    );

    // Assess
    expect(world.engine.calls).toEqual([
      { kind: "success", token: "token-8", output: { done: true, reason: "approved by email" } },
    ]);
  });

  it("never counts a record found for the old instructions as approval when the customer switches to email meanwhile", async () => {
    // Prepare: while the record is looked up, the customer switches the name to email.
    const world = await waitingOrder([pendingValidation("shop.example.com")], {
      found: true,
      whileLooking: async (store) => {
        await updateOrder(store, ORDER_ID, () => ({
          changes: { method: "email", validations: [emailValidation("shop.example.com", ADMIN)] },
        }));
      },
    });

    // Act
    await world.turn("token-9", 900);

    // Assess
    const stored = await world.store.get(ORDER_ID);
    expect(stored?.validations).toEqual([emailValidation("shop.example.com", ADMIN)]);
    expect(world.engine.calls).not.toContainEqual(
      expect.objectContaining({ output: expect.objectContaining({ done: true }) }),
    );
  });

  it("never counts an earlier approval for the new instructions when the customer switches to DNS meanwhile", async () => {
    // Prepare: the name was approved; while the other name's record is looked up, the customer
    // switches both names to DNS.
    const approved: ValidationRecord = {
      ...emailValidation("shop.example.com", ADMIN, "published"),
      lastCheck: { at: WAITING_SINCE.toISOString(), ok: true, detail: `Approved by ${ADMIN}.` },
    };
    const switched = [pendingValidation("shop.example.com"), pendingValidation("www.example.com")];
    const world = await waitingOrder([approved, pendingValidation("www.example.com")], {
      whileLooking: async (store) => {
        await updateOrder(store, ORDER_ID, () => ({
          changes: {
            method: "dns-txt",
            validations: switched.map((v) => ({
              ...v,
              instructions: { ...v.instructions, value: "new" },
            })),
          },
        }));
      },
    });
    world.clock.advance(1);

    // Act
    await world.turn("token-10", 900);

    // Assess
    const stored = await world.store.get(ORDER_ID);
    expect(
      stored?.validations.map((validation) => [validation.status, validation.lastCheck]),
    ).toEqual([
      ["pending", undefined],
      ["pending", undefined],
    ]);
  });
});
