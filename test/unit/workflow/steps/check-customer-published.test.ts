import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { updateOrder } from "../../../../functions/orders/order-updates.ts";
import type { DcvChecker } from "../../../../functions/ports/dcv-checker.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import {
  pendingValidation,
  sampleEvent,
  sampleOrder,
} from "../../../support/order-store-contract.ts";

const NAMES = ["shop.example.com", "www.shop.example.com"];

describe("CheckCustomerPublished", () => {
  it("keeps a result stored while its checks ran: a name the customer's newer check found", async () => {
    // Prepare: while the workflow's DNS answers, the customer's own check (a moment later)
    // finds the second name published.
    const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
    const store = createMemoryOrderStore(clock);
    const record = sampleOrder({
      orderId: "ord_checkloop",
      names: NAMES.map((name) => ({ ascii: name, display: name, wildcard: false })),
      validationDeadline: "2027-01-11T08:00:00.000Z",
    });
    await store.create(record, sampleEvent(clock.now(), "Order received."));
    await updateOrder(store, record.orderId, () => ({
      changes: { status: "PENDING_VALIDATION", validations: NAMES.map(pendingValidation) },
    }));
    const later = new Date(clock.now().getTime() + 1_000).toISOString();
    const dcv: DcvChecker = {
      async check() {
        await updateOrder(store, record.orderId, (order) => ({
          changes: {
            validations: order.validations.map((validation) =>
              validation.domain === NAMES[1]
                ? { ...validation, status: "published", lastCheck: { at: later, ok: true } }
                : validation,
            ),
          },
        }));
        return { ok: false, cause: "NO_RECORD", detail: "No TXT record yet." };
      },
    };
    const deps = {
      clock,
      store,
      dcv,
      settings: DEFAULT_WORKFLOW_SETTINGS,
      logError: () => undefined,
    } as unknown as StepDependencies;

    // Act
    await runDeclaredStep(deps, "CheckCustomerPublished", { orderId: record.orderId, attempt: 0 });

    // Assess
    const stored = await store.get(record.orderId);
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
});
