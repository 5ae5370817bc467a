import type { OrderEvent } from "../api.ts";
import { StatusBadge, Time } from "../components.tsx";

/** The statuses the order went through (the timeline), then everything that happened, in order. */
export function HistorySection({ history }: { history: readonly OrderEvent[] }) {
  if (history.length === 0) return null;
  const steps = history.filter(
    (event, index) =>
      event.status !== undefined &&
      history.slice(0, index).findLast((before) => before.status !== undefined)?.status !==
        event.status,
  );
  return (
    <section aria-labelledby="history-title" class="history">
      <h2 id="history-title">History</h2>
      <ol class="timeline" aria-label="Status timeline">
        {steps.map((event, index) => (
          <li key={`${event.at}:${event.status}`} class={index === steps.length - 1 ? "now" : ""}>
            {event.status === undefined ? null : <StatusBadge status={event.status} />}{" "}
            <Time at={event.at} />
            {index === steps.length - 1 ? <span class="tag"> now</span> : null}
            <p class="step-message">{event.message}</p>
          </li>
        ))}
      </ol>
      <details>
        <summary>Every event ({history.length})</summary>
        <ol class="events">
          {history.map((event, index) => (
            <li key={`${index}:${event.at}`}>
              <Time at={event.at} /> <span class="event-type">{event.type}</span> {event.message}
              {event.by === undefined ? null : (
                <span class="by">
                  {" "}
                  — by {event.by.role === "operator" ? "an operator" : "the customer"} (tenant{" "}
                  {event.by.tenantId})
                </span>
              )}
            </li>
          ))}
        </ol>
      </details>
    </section>
  );
}
