import { workOnDelivery } from "../../webhooks/webhook-deliveries.ts";
import { declareConsumer } from "../consumer-declaration.ts";

/** Attempts queued webhook deliveries, and queues the retries of those that failed. */
export const consumer = declareConsumer(
  {
    name: "DeliverWebhooks",
    description: "signed webhook deliveries to customers' endpoints, with retries",
    source: "webhook-deliveries",
    needs: {
      table: "write",
      vaultRead: ["webhook-secrets"],
      webhooks: true,
      deliveryQueue: true,
    },
  },
  async (deps, messages) => {
    const outcomes = await Promise.allSettled(
      messages.map((message) => workOnDelivery(deps, message)),
    );
    const failed: number[] = [];
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.status === "rejected") {
        deps.logError(outcome.reason);
        failed.push(index);
      }
    }
    return { failed };
  },
);
