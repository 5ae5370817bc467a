import { describe, expect, it } from "vitest";
import { createMemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderEvent, ValidationRecord } from "../../../../functions/domain/order-record.ts";
import { updateOrder } from "../../../../functions/orders/order-updates.ts";
import type { CheckOutcome, DcvChecker } from "../../../../functions/ports/dcv-checker.ts";
import type { Mailer } from "../../../../functions/ports/mailer.ts";
import type { OrderStore } from "../../../../functions/ports/order-store.ts";
import type { WorkflowEngine } from "../../../../functions/ports/workflow-engine.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import { emailValidation } from "../../../support/email-approvals.ts";
import {
  pendingValidation,
  sampleEvent,
  sampleOrder,
} from "../../../support/order-store-contract.ts";

const HOUR = 3600;
const NAMES = ["shop.example.com", "www.shop.example.com"];
const ORDER_ID = "ord_reminders";

interface Options {
  readonly validations?: readonly ValidationRecord[];
  /** The mailer fails its first `n` sends. */
  readonly mailFailures?: number;
  /** The store fails the first write of a "Reminder sent" note (a stop right after the send). */
  readonly noteFails?: boolean;
}

/** An order waiting since 08:00 for two names (deadline 24 h later), and the step's world. */
async function waitingOrder(options: Options = {}) {
  const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  const memory = createMemoryOrderStore(clock);
  const validations = options.validations ?? NAMES.map(pendingValidation);
  await memory.create(
    sampleOrder({
      orderId: ORDER_ID,
      names: validations.map((v) => ({ ascii: v.domain, display: v.domain, wildcard: false })),
      validationDeadline: "2027-01-11T08:00:00.000Z",
    }),
    sampleEvent(clock.now(), "Order received."),
  );
  await updateOrder(memory, ORDER_ID, () => ({
    changes: { status: "PENDING_VALIDATION", validations },
    event: {
      at: clock.now().toISOString(),
      type: "status",
      status: "PENDING_VALIDATION",
      message: "Order placed.",
    },
  }));
  // Every write, to see what went together.
  const writes: { changes: Parameters<OrderStore["update"]>[1]; event?: OrderEvent }[] = [];
  let noteFailures = options.noteFails ? 1 : 0;
  const store: OrderStore = {
    ...memory,
    async update(order, changes, event) {
      if (event?.message.startsWith("Reminder sent") && noteFailures > 0) {
        noteFailures--;
        throw new Error("the function stopped");
      }
      writes.push({ changes, ...(event === undefined ? {} : { event }) });
      return memory.update(order, changes, event);
    },
  };
  const sent = createMemoryMailer();
  let mailFailures = options.mailFailures ?? 0;
  const mailer: Mailer = {
    async send(message) {
      if (mailFailures > 0) {
        mailFailures--;
        throw new Error("SES is down");
      }
      await sent.send(message);
    },
  };
  const published = new Set<string>();
  const dcv: DcvChecker = {
    async check(publication): Promise<CheckOutcome> {
      const text = JSON.stringify(publication);
      return [...published].some((name) => text.includes(`"_certflow-challenge.${name}"`))
        ? { ok: true }
        : { ok: false, cause: "WRONG_VALUE", detail: 'Found "stale-value", expected the value.' };
    },
  };
  const answers: string[] = [];
  const workflow: Pick<WorkflowEngine, "sendTaskSuccess" | "sendTaskFailure"> = {
    async sendTaskSuccess(token, output) {
      answers.push(`${token}: ${JSON.stringify(output)}`);
    },
    async sendTaskFailure(token, error) {
      answers.push(`${token}: ${error}`);
    },
  };
  const errors: unknown[] = [];
  const deps = {
    clock,
    store,
    dcv,
    mailer,
    workflow,
    settings: { ...DEFAULT_WORKFLOW_SETTINGS, publicApiUrl: "https://api.certflow.example" },
    logError: (error: unknown) => errors.push(error),
  } as unknown as StepDependencies;
  const turn = (taskToken = "token") =>
    runDeclaredStep(deps, "WaitForCustomerToPublish", {
      orderId: ORDER_ID,
      taskToken,
      turn: { waitSeconds: 6742 },
    });
  const notes = async () =>
    (await memory.history(ORDER_ID))
      .filter((event) => event.message.startsWith("Reminder sent"))
      .map((event) => event.message);
  return { clock, memory, writes, sent, published, turn, notes, answers, errors };
}

describe("WaitForCustomerToPublish's reminders", () => {
  it("sends none before half the validation time", async () => {
    const world = await waitingOrder();
    world.clock.advance(12 * HOUR - 60);

    await world.turn();

    expect(world.sent.sent).toEqual([]);
    expect((await world.memory.get(ORDER_ID))?.validationReminders).toBeUndefined();
  });

  it("at the first turn after half the time, records the mark with the check and mails the results once", async () => {
    const world = await waitingOrder();
    world.clock.advance(12.2 * HOUR);

    await world.turn("token-1");
    await world.turn("token-1"); // the same turn run again (a retry)
    world.clock.advance(6742);
    await world.turn("token-2"); // the next turn

    // One mail, with the current check's result per name.
    expect(world.sent.sent).toHaveLength(1);
    const mail = world.sent.sent[0];
    expect(mail?.to).toEqual(["ada@example.com"]);
    expect(mail?.subject).toBe("Reminder: publish the records for shop.example.com (12 h left)");
    expect(mail?.text).toContain(
      'shop.example.com (checked 2027-01-10T20:12:00.000Z): Something is published, but not the value asked for (WRONG_VALUE). Found "stale-value"',
    );
    expect(mail?.text).toContain("www.shop.example.com (checked 2027-01-10T20:12:00.000Z)");
    expect(mail?.text).toContain(
      "POST https://api.certflow.example/v1/orders/ord_reminders/checks",
    );
    // The mark went in the check's own write.
    const first = world.writes.find((write) => write.changes.validationReminders !== undefined);
    expect(first?.changes.validationReminders).toEqual([50]);
    expect(first?.changes.validations).toBeDefined();
    expect(first?.event?.message).toMatch(/^Check 1: /);
    expect(await world.notes()).toEqual([
      "Reminder sent: half of the validation time has passed (12 h left); mailed to ada@example.com.",
    ]);
    expect(world.answers).toEqual([]);
  });

  it("mails the 90 % reminder at the first turn after 90 % of the time", async () => {
    const world = await waitingOrder();
    world.clock.advance(12.2 * HOUR);
    await world.turn();
    world.clock.advance(21.6 * HOUR - 12.2 * HOUR);

    await world.turn();

    expect(world.sent.sent.map((mail) => mail.subject)).toEqual([
      "Reminder: publish the records for shop.example.com (12 h left)",
      "Reminder: publish the records for shop.example.com (2 h 24 min left)",
    ]);
    expect((await world.memory.get(ORDER_ID))?.validationReminders).toEqual([50, 90]);
    expect((await world.notes())[1]).toBe(
      "Reminder sent: 90 % of the validation time has passed (2 h 24 min left); mailed to ada@example.com.",
    );
  });

  it("mails only the 90 % reminder when both marks passed since the last turn, and records both", async () => {
    const world = await waitingOrder();
    world.clock.advance(22 * HOUR);

    await world.turn();

    expect(world.sent.sent.map((mail) => mail.subject)).toEqual([
      "Reminder: publish the records for shop.example.com (2 h left)",
    ]);
    expect((await world.memory.get(ORDER_ID))?.validationReminders).toEqual([50, 90]);
    expect(await world.notes()).toHaveLength(1);
  });

  it("sends none once everything is published", async () => {
    const world = await waitingOrder();
    for (const name of NAMES) world.published.add(name);
    world.clock.advance(13 * HOUR);

    await world.turn("token-1");

    expect(world.sent.sent).toEqual([]);
    expect((await world.memory.get(ORDER_ID))?.validationReminders).toBeUndefined();
    expect(world.answers).toEqual(['token-1: {"done":true,"waitSeconds":6742}']);
  });

  it("names only what is still missing when some names are found", async () => {
    const world = await waitingOrder();
    world.published.add("www.shop.example.com");
    world.clock.advance(13 * HOUR);

    await world.turn();

    const text = world.sent.sent[0]?.text ?? "";
    expect(text).toContain("www.shop.example.com: found at the latest check.");
    expect(text).not.toContain("Host:  _certflow-challenge.www.shop.example.com");
    expect(text).toContain("Host:  _certflow-challenge.shop.example.com");
  });

  it("sends none at the deadline: the order fails instead", async () => {
    const world = await waitingOrder();
    world.clock.advance(24 * HOUR);

    await world.turn("token-17");

    expect(world.sent.sent).toEqual([]);
    expect(world.answers).toEqual(["token-17: ValidationTimedOut"]);
  });

  it("sends none for names approved by email", async () => {
    const world = await waitingOrder({
      validations: [emailValidation("shop.example.com", "admin@example.com")],
    });
    world.clock.advance(22 * HOUR);

    await world.turn();

    expect(world.sent.sent).toEqual([]);
    expect((await world.memory.get(ORDER_ID))?.validationReminders).toBeUndefined();
  });

  it("keeps a recorded reminder whose mail failed, and mails it at the next run, once", async () => {
    // Prepare: the mail service fails once, as at a stop between recording and sending.
    const world = await waitingOrder({ mailFailures: 1 });
    world.clock.advance(12.2 * HOUR);

    // Act
    await world.turn("token-1");
    const afterFailure = {
      sent: world.sent.sent.length,
      marks: (await world.memory.get(ORDER_ID))?.validationReminders,
      notes: await world.notes(),
    };
    world.clock.advance(6742);
    await world.turn("token-2");
    world.clock.advance(6742);
    await world.turn("token-3");

    // Assess: the turn went on (no failure), the mark was kept, and the next turn mailed it.
    expect(afterFailure).toEqual({ sent: 0, marks: [50], notes: [] });
    expect(world.errors).toHaveLength(1);
    expect(world.answers).toEqual([]);
    expect(world.sent.sent).toHaveLength(1);
    expect(await world.notes()).toHaveLength(1);
  });

  it("mails once more, and no more, when the run stopped between the send and its note", async () => {
    // Prepare
    const world = await waitingOrder({ noteFails: true });
    world.clock.advance(12.2 * HOUR);

    // Act: the run fails after sending; the state machine's Retry runs the turn again.
    await expect(world.turn("token-1")).rejects.toThrow();
    await world.turn("token-1");
    await world.turn("token-1");

    // Assess
    expect(world.sent.sent).toHaveLength(2);
    expect(await world.notes()).toHaveLength(1);
  });
});
