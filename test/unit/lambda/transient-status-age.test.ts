import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../functions/domain/clock.ts";
import type { OrderRecord } from "../../../functions/domain/order-record.ts";
import { createStepMetrics } from "../../../functions/lambda/step-metrics.ts";
import {
  reportingTransientAge,
  statusEnteredAt,
  type TransientAge,
} from "../../../functions/lambda/transient-status-age.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../functions/workflow/workflow-settings.ts";
import { sampleOrder } from "../../support/order-store-contract.ts";

const settings = {
  ...DEFAULT_WORKFLOW_SETTINGS,
  validationTimeoutSeconds: 86_400,
  caDecisionTimeoutSeconds: 3_600,
};

const CREATED = "2027-01-10T08:00:00.000Z";

function order(changes: Partial<OrderRecord>): OrderRecord {
  return sampleOrder({ orderId: "ord_1", createdAt: CREATED, updatedAt: CREATED, ...changes });
}

describe("the age of an order in its transient status", () => {
  it("starts when the workflow set the deadline of that status", () => {
    expect(statusEnteredAt(order({}), settings).toISOString()).toBe("2027-01-10T08:00:00.000Z");
    expect(
      statusEnteredAt(
        order({ status: "PENDING_VALIDATION", validationDeadline: "2027-01-11T09:00:00.000Z" }),
        settings,
      ).toISOString(),
    ).toBe("2027-01-10T09:00:00.000Z");
    expect(
      statusEnteredAt(
        order({ status: "ISSUING", caDeadline: "2027-01-10T12:00:00.000Z" }),
        settings,
      ).toISOString(),
    ).toBe("2027-01-10T11:00:00.000Z");
  });

  it("is reported for every transient order a step reads, and never for final ones", async () => {
    const clock = fixedClock(new Date("2027-01-10T08:30:00.000Z"));
    const memory = createMemoryOrderStore(clock);
    const event = { at: "2027-01-10T08:00:00.000Z", type: "status", message: "submitted" };
    await memory.create(order({}), event);
    await memory.create(order({ orderId: "ord_2", status: "FAILED" }), event);
    const reports: TransientAge[] = [];
    const store = reportingTransientAge(memory, {
      clock,
      settings,
      report: (age) => reports.push(age),
    });
    await store.get("ord_1");
    await store.get("ord_2");
    await store.get("ord_missing");
    expect(reports).toEqual([{ orderId: "ord_1", status: "SUBMITTED", seconds: 1_800 }]);
  });

  it("is published once per status and invocation, for the oldest order", () => {
    const published: {
      dimension: [string, string];
      metric: [string, string, number];
      orderId: string;
    }[] = [];
    const fake = {
      singleMetric() {
        const entry = {
          dimension: ["", ""],
          metric: ["", "", 0],
          orderId: "",
        } as (typeof published)[number];
        return {
          addDimension: (name: string, value: string) => {
            entry.dimension = [name, value];
          },
          addMetadata: (_key: string, value: string) => {
            entry.orderId = value;
          },
          addMetric: (name: string, unit: string, value: number) => {
            entry.metric = [name, unit, value];
            published.push(entry);
          },
        };
      },
    };
    const metrics = createStepMetrics(fake as never);
    metrics.report({ orderId: "ord_1", status: "PENDING_VALIDATION", seconds: 10 });
    metrics.report({ orderId: "ord_2", status: "PENDING_VALIDATION", seconds: 70.4 });
    metrics.report({ orderId: "ord_3", status: "ISSUING", seconds: 5 });
    metrics.publish();
    metrics.publish();
    expect(published).toEqual([
      {
        dimension: ["Status", "PENDING_VALIDATION"],
        metric: ["TransientStatusAgeSeconds", "Seconds", 70],
        orderId: "ord_2",
      },
      {
        dimension: ["Status", "ISSUING"],
        metric: ["TransientStatusAgeSeconds", "Seconds", 5],
        orderId: "ord_3",
      },
    ]);
  });
});
