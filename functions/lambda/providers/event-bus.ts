import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { createEventBridgeBus } from "../../adapters/aws/eventbridge-event-bus.ts";
import type { EventBus } from "../../ports/event-bus.ts";

/** The account's default bus: the function may put events there and nowhere else. */
export function eventBus(): EventBus {
  return createEventBridgeBus(new EventBridgeClient({}));
}
