import { describe, expect, it } from "vitest";
import { createMemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { describeFailure } from "../../../../functions/workflow/steps/record-failure.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import { emailValidation } from "../../../support/email-approvals.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";

const ADMIN = "admin@example.com";
const CAUSE = `${ADMIN} declined shop.example.com: not ours`;

const waiting = sampleOrder({
  orderId: "ord_declined",
  status: "PENDING_VALIDATION",
  method: "email",
  validations: [emailValidation("shop.example.com", ADMIN, "invalid")],
  waitToken: "token-1",
});

describe("describeFailure of ApprovalDeclined", () => {
  it.each([
    ["the engine's cause", CAUSE],
    [
      "a Lambda function's JSON cause",
      JSON.stringify({ errorType: "ApprovalDeclined", errorMessage: CAUSE, trace: ["at x"] }),
    ],
  ])("is VALIDATION_FAILED with %s as the message", (_case, cause) => {
    // Act
    const failure = describeFailure(waiting, { Error: "ApprovalDeclined", Cause: cause });

    // Assess
    expect(failure).toEqual({ code: "VALIDATION_FAILED", message: CAUSE });
  });

  it.each([
    ["no cause", undefined],
    ["an empty cause", ""],
  ])("says the approver declined when there is %s", (_case, cause) => {
    // Act
    const failure = describeFailure(waiting, {
      Error: "ApprovalDeclined",
      ...(cause === undefined ? {} : { Cause: cause }),
    });

    // Assess
    expect(failure).toEqual({ code: "VALIDATION_FAILED", message: "The approver declined." });
  });
});

describe("RecordFailure after a declined approval", () => {
  it("fails the order with VALIDATION_FAILED and the approver's words, and forgets the wait", async () => {
    // Prepare
    const clock = fixedClock(new Date("2027-01-10T09:00:00Z"));
    const store = createMemoryOrderStore(clock);
    const deps = {
      clock,
      store,
      mailer: createMemoryMailer(),
      logError: () => undefined,
    } as unknown as StepDependencies;
    await store.create(waiting, sampleEvent(clock.now(), "Order received."));

    // Act
    const result = await runDeclaredStep(deps, "RecordFailure", {
      orderId: "ord_declined",
      error: { Error: "ApprovalDeclined", Cause: CAUSE },
    });

    // Assess
    expect(result).toEqual({ code: "VALIDATION_FAILED" });
    const order = await store.get("ord_declined");
    expect(order).toMatchObject({
      status: "FAILED",
      failure: { code: "VALIDATION_FAILED", message: CAUSE },
    });
    expect(order !== undefined && "waitToken" in order).toBe(false);
    expect((await store.history("ord_declined")).at(-1)).toMatchObject({
      type: "status",
      status: "FAILED",
      message: `VALIDATION_FAILED: ${CAUSE}`,
    });
  });
});
