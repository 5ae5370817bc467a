import { describe, expect, it } from "vitest";
import { createMemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { causeMessage } from "../../../../functions/workflow/steps/record-failure.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";

/** A cause exactly as Step Functions hands over an error a Node.js Lambda function threw. */
function lambdaCause(errorType: string, errorMessage: string): string {
  return JSON.stringify({
    errorType,
    errorMessage,
    trace: [
      `${errorType}: ${errorMessage}`,
      "    at AcmeAuthority.finalize (file:///var/task/index.mjs:4711:13)",
      "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
      "    at async Runtime.handler (file:///var/task/index.mjs:9120:20)",
    ],
  });
}

describe("causeMessage", () => {
  it.each([
    [
      "a Lambda cause",
      lambdaCause("CaRejected", "The CA refused the key."),
      "The CA refused the key.",
    ],
    ["JSON with a trace and no message", '{"errorType":"X","trace":["at /var/task/x"]}', ""],
  ])("keeps the message of %s", (_case, cause, expected) => {
    // Act
    const message = causeMessage(cause);

    // Assess
    expect(message).toBe(expected);
  });
});

describe("RecordFailure", () => {
  it.each([
    ["CaRejected", "CA_REJECTED"],
    ["CaValidationFailed", "VALIDATION_FAILED"],
    ["CaUnavailable", "CA_UNAVAILABLE"],
    ["CaaForbids", "CAA_FORBIDS"],
  ] as const)(
    "shows the customer only the message of a Lambda %s cause, in the order and the mail",
    async (error, code) => {
      // Prepare
      const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
      const store = createMemoryOrderStore(clock);
      const mailer = createMemoryMailer();
      const deps = {
        clock,
        store,
        mailer,
        logError: () => undefined,
      } as unknown as StepDependencies;
      await store.create(
        sampleOrder({ orderId: "ord_failing", status: "ISSUING" }),
        sampleEvent(clock.now(), "Order received."),
      );
      const cause = lambdaCause(error, "The CA said no: badCSR.");

      // Act
      await runDeclaredStep(deps, "RecordFailure", {
        orderId: "ord_failing",
        error: { Error: error, Cause: cause },
      });
      await runDeclaredStep(deps, "SendFailureMail", { orderId: "ord_failing" });

      // Assess
      const order = await store.get("ord_failing");
      expect(order?.failure).toEqual({ code, message: "The CA said no: badCSR." });
      const shown = [
        JSON.stringify(order?.failure),
        ...(await store.history("ord_failing")).map((event) => event.message),
        ...mailer.sent.map((mail) => `${mail.subject}\n${mail.text}`),
      ].join("\n");
      expect(mailer.sent).toHaveLength(1);
      expect(shown).toContain("The CA said no: badCSR.");
      expect(shown).not.toMatch(/errorType|trace|\/var\/task|index\.mjs|processTicksAndRejections/);
    },
  );
});
