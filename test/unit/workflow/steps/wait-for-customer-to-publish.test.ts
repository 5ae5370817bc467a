import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { updateOrder } from "../../../../functions/orders/order-updates.ts";
import type { CheckOutcome, DcvChecker } from "../../../../functions/ports/dcv-checker.ts";
import {
  TaskNotWaiting,
  type WorkflowEngine,
} from "../../../../functions/ports/workflow-engine.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import {
  pendingValidation,
  sampleEvent,
  sampleOrder,
} from "../../../support/order-store-contract.ts";

const NAMES = ["shop.example.com", "www.shop.example.com"];
const ORDER_ID = "ord_waitloop";

type Answer =
  | { token: string; kind: "success"; output: Record<string, unknown> }
  | { token: string; kind: "failure"; error: string; cause: string };

/** An order waiting for two names since 08:00, deadline 24 h later, and the step's world. */
async function waitingOrder(options: { dcv?: DcvChecker; tokenTaken?: boolean } = {}) {
  const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  const store = createMemoryOrderStore(clock);
  const record = sampleOrder({
    orderId: ORDER_ID,
    names: NAMES.map((name) => ({ ascii: name, display: name, wildcard: false })),
    validationDeadline: "2027-01-11T08:00:00.000Z",
  });
  await store.create(record, sampleEvent(clock.now(), "Order received."));
  await updateOrder(store, ORDER_ID, () => ({
    changes: { status: "PENDING_VALIDATION", validations: NAMES.map(pendingValidation) },
  }));
  const answers: Answer[] = [];
  const workflow: Pick<WorkflowEngine, "sendTaskSuccess" | "sendTaskFailure"> = {
    async sendTaskSuccess(token, output) {
      if (options.tokenTaken) throw new TaskNotWaiting("woken already");
      answers.push({ token, kind: "success", output });
    },
    async sendTaskFailure(token, error, cause) {
      if (options.tokenTaken) throw new TaskNotWaiting("woken already");
      answers.push({ token, kind: "failure", error, cause });
    },
  };
  let dcvCalls = 0;
  const published = new Set<string>();
  const dcv: DcvChecker = options.dcv ?? {
    async check(publication): Promise<CheckOutcome> {
      dcvCalls += 1;
      const text = JSON.stringify(publication);
      return [...published].some((name) => text.includes(`"_certflow-challenge.${name}"`))
        ? { ok: true }
        : { ok: false, cause: "NO_RECORD", detail: "No TXT record yet." };
    },
  };
  const deps = {
    clock,
    store,
    dcv,
    workflow,
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
  return { clock, store, answers, published, turn, checks, dcvCalls: () => dcvCalls };
}

describe("WaitForCustomerToPublish", () => {
  it("checks, keeps its token for the customer's check, and leaves the wait to its timeout", async () => {
    const world = await waitingOrder();

    await world.turn("token-1", 900);

    expect(world.answers).toEqual([]);
    expect((await world.store.get(ORDER_ID))?.waitToken).toBe("token-1");
    expect((await world.checks()).map((event) => event.message)).toEqual([
      "Check 1: shop.example.com: NO_RECORD (No TXT record yet.); www.shop.example.com: NO_RECORD (No TXT record yet.); next check in 900 s.",
    ]);
  });

  it("wakes its own task as soon as everything is published", async () => {
    const world = await waitingOrder();
    for (const name of NAMES) world.published.add(name);

    await world.turn("token-1", 900);

    expect(world.answers).toEqual([
      { token: "token-1", kind: "success", output: { done: true, waitSeconds: 900 } },
    ]);
  });

  it("after the first hour wakes its task with the longer wait, and the next turn only parks", async () => {
    const world = await waitingOrder();
    world.clock.advance(3600);

    await world.turn("token-5", 900);
    const checkedAt = world.clock.now().toISOString();
    await world.turn("token-6", 6742, checkedAt);

    expect(world.answers).toEqual([
      {
        token: "token-5",
        kind: "success",
        output: { done: false, waitSeconds: 6742, checkedAt },
      },
    ]);
    expect(world.dcvCalls()).toBe(2);
    expect(await world.checks()).toHaveLength(1);
    expect((await world.store.get(ORDER_ID))?.waitToken).toBe("token-6");
  });

  it("checks again when a parked turn's wait is over", async () => {
    const world = await waitingOrder();
    world.clock.advance(3600);
    const checkedAt = world.clock.now().toISOString();
    world.clock.advance(6742);

    await world.turn("token-7", 6742, checkedAt);

    expect(await world.checks()).toHaveLength(1);
    expect(world.answers).toEqual([]);
  });

  it("fails its task with ValidationTimedOut after the check at the deadline", async () => {
    const world = await waitingOrder();
    world.clock.advance(24 * 3600);

    await world.turn("token-17", 6900);

    expect(world.answers).toEqual([
      {
        token: "token-17",
        kind: "failure",
        error: "ValidationTimedOut",
        cause: "The validation deadline passed before every record or file was published.",
      },
    ]);
    expect((await world.checks()).at(-1)?.message).toContain("the deadline has passed");
  });

  it("ends the turn when a customer's check found everything while no task was waiting", async () => {
    const world = await waitingOrder();
    await updateOrder(world.store, ORDER_ID, (order) => ({
      changes: {
        validations: order.validations.map((validation) => ({
          ...validation,
          status: "published",
        })),
      },
    }));

    await world.turn("token-6", 6900, world.clock.now().toISOString());

    expect(world.dcvCalls()).toBe(0);
    expect(world.answers).toEqual([
      { token: "token-6", kind: "success", output: { done: true, waitSeconds: 6900 } },
    ]);
  });

  it("leaves a task a customer's check woke first alone", async () => {
    const world = await waitingOrder({ tokenTaken: true });
    for (const name of NAMES) world.published.add(name);

    await expect(world.turn("token-1", 900)).resolves.toEqual({});
  });

  it("keeps a result stored while its checks ran: a name the customer's newer check found", async () => {
    // Prepare: while the workflow's DNS answers, the customer's own check (a moment later)
    // finds the second name published.
    let store: ReturnType<typeof createMemoryOrderStore> | undefined;
    const later = "2027-01-10T08:00:01.000Z";
    const world = await waitingOrder({
      dcv: {
        async check() {
          if (store !== undefined) {
            await updateOrder(store, ORDER_ID, (order) => ({
              changes: {
                validations: order.validations.map((validation) =>
                  validation.domain === NAMES[1]
                    ? { ...validation, status: "published", lastCheck: { at: later, ok: true } }
                    : validation,
                ),
              },
            }));
          }
          return { ok: false, cause: "NO_RECORD", detail: "No TXT record yet." };
        },
      },
    });
    store = world.store;

    // Act
    await world.turn("token-1", 900);

    // Assess
    const stored = await world.store.get(ORDER_ID);
    expect(
      stored?.validations.map((validation) => [
        validation.domain,
        validation.status,
        validation.lastCheck?.ok,
      ]),
    ).toEqual([
      ["shop.example.com", "pending", false],
      ["www.shop.example.com", "published", true],
    ]);
  });

  it("fails its own task with CaaForbids when CAA now forbids the CA", async () => {
    // Prepare: both names published, but CAA at example.com names another CA.
    const world = await waitingOrder({
      dcv: {
        check: async () => ({ ok: true }),
        caa: async () => ({
          kind: "found",
          rrset: {
            foundAt: "example.com",
            records: [{ flags: 0, tag: "issue", value: "other-ca.example" }],
          },
        }),
      },
    });
    await updateOrder(world.store, ORDER_ID, () => ({
      changes: { caaIdentity: { identities: ["certflow.internal"] } },
    }));

    // Act
    await world.turn("token-1", 900);

    // Assess
    expect(world.answers).toHaveLength(1);
    expect(world.answers[0]).toMatchObject({
      token: "token-1",
      kind: "failure",
      error: "CaaForbids",
    });
    const answer = world.answers[0];
    expect(answer?.kind === "failure" && answer.cause).toContain(
      'Add example.com. CAA 0 issue "certflow.internal"',
    );
    const stored = await world.store.get(ORDER_ID);
    expect(stored?.validations.map((validation) => validation.caa?.cause)).toEqual([
      "CAA_FORBIDS",
      "CAA_FORBIDS",
    ]);
  });
});
