import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { BusEvent, EventBus } from "../../ports/event-bus.ts";

const BATCH = 10;

export class EventsRefused extends Error {
  override readonly name = "EventsRefused";
}

/** Order events on the account's default EventBridge bus (no bus named: the default one). */
export function createEventBridgeBus(client: Pick<EventBridgeClient, "send">): EventBus {
  return {
    async publish(events: readonly BusEvent[]) {
      for (let start = 0; start < events.length; start += BATCH) {
        const batch = events.slice(start, start + BATCH);
        const answer = await client.send(
          new PutEventsCommand({
            Entries: batch.map((event) => ({
              Source: event.source,
              DetailType: event.detailType,
              Time: new Date(event.time),
              Detail: JSON.stringify(event.detail),
            })),
          }),
        );
        if ((answer.FailedEntryCount ?? 0) > 0) {
          const codes = [
            ...new Set(answer.Entries?.map((entry) => entry.ErrorCode).filter(Boolean)),
          ].join(", ");
          throw new EventsRefused(
            `EventBridge refused ${answer.FailedEntryCount} of ${batch.length} events (${codes}).`,
          );
        }
      }
    },
  };
}
