import { useCallback, useMemo, useState } from "preact/hooks";
import definition from "../../../statemachines/order.asl.json" with { type: "json" };
import { ApiFailure, api, type Execution, type Order } from "../api.ts";
import { ErrorNote, Loading, ScreenTitle, StatusBadge, Time } from "../components.tsx";
import { ACTIVE_BACKOFF, RESTING_BACKOFF, usePolling } from "../live.ts";
import { hrefOf } from "../router.ts";
import {
  type AslDefinition,
  BOX,
  type ExecutionPosition,
  executionPosition,
  type Layout,
  layoutStateMachine,
} from "../state-machine.ts";

const EXECUTION_WORDS: Readonly<Record<Execution["status"], string>> = {
  RUNNING: "◔ Running",
  SUCCEEDED: "✓ Succeeded",
  FAILED: "✕ Failed",
  ABORTED: "⊘ Aborted",
  TIMED_OUT: "⌛ Timed out",
};

/**
 * Operators: the order's execution on the state machine drawn from statemachines/order.asl.json
 * (the same file both hosts run), the current state marked, its event history beside it.
 */
export function ExecutionScreen({ orderId }: { orderId: string }) {
  const [order, setOrder] = useState<Order | undefined>();
  const [execution, setExecution] = useState<Execution | undefined>();
  const [failure, setFailure] = useState<ApiFailure | undefined>();
  const layout = useMemo(() => layoutStateMachine(definition as AslDefinition), []);

  const load = useCallback(async () => {
    try {
      const current = await api<Order>("GET", `/v1/orders/${orderId}`);
      setOrder(current);
      if (current.execution === undefined) return undefined;
      const described = await api<Execution>(
        "GET",
        `/v1/executions/${encodeURIComponent(current.execution.name)}`,
      );
      setExecution(described);
      setFailure(undefined);
      return {
        fingerprint: `${described.status}|${described.events.length}`,
        backoff: described.status === "RUNNING" ? ACTIVE_BACKOFF : RESTING_BACKOFF,
      };
    } catch (error) {
      if (error instanceof ApiFailure) setFailure(error);
      return undefined;
    }
  }, [orderId]);
  usePolling(load, orderId);

  const position = useMemo(() => executionPosition(execution?.events ?? []), [execution?.events]);
  return (
    <>
      <p class="breadcrumb">
        <a href={hrefOf({ screen: "order", orderId })}>{orderId}</a>{" "}
        <span aria-hidden="true">›</span> execution
      </p>
      <ScreenTitle title={`Execution of ${orderId}`}>Execution of {orderId}</ScreenTitle>
      <ErrorNote problem={failure} />
      {order === undefined || (execution === undefined && failure === undefined) ? (
        order?.execution === undefined && order !== undefined ? (
          <p>This order has no execution yet.</p>
        ) : (
          <Loading what="the execution" />
        )
      ) : execution === undefined ? null : (
        <>
          <dl class="facts">
            <div>
              <dt>Execution</dt>
              <dd>
                <code>{execution.name}</code>
              </dd>
            </div>
            <div>
              <dt>Execution status</dt>
              <dd>{EXECUTION_WORDS[execution.status]}</dd>
            </div>
            <div>
              <dt>Order status</dt>
              <dd>
                <StatusBadge status={order.status} />
              </dd>
            </div>
            <div>
              <dt>Current state</dt>
              <dd>
                <strong id="current-state">{position.current ?? "not started"}</strong>
                {position.current === undefined
                  ? ""
                  : ` (${(definition as AslDefinition).States[position.current]?.Type ?? "state"})`}
              </dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>
                <Time at={execution.startedAt} />
              </dd>
            </div>
            {execution.transitions === undefined ? null : (
              <div>
                <dt>State transitions</dt>
                <dd>{execution.transitions}</dd>
              </div>
            )}
          </dl>
          <div class="execution-view">
            <StateMachineDrawing layout={layout} position={position} />
            <EventHistory execution={execution} />
          </div>
        </>
      )}
    </>
  );
}

function boxFill(name: string, position: ExecutionPosition): string {
  if (name === position.current) return "state state-current";
  if (position.failed.has(name)) return "state state-failed";
  if (position.visited.has(name)) return "state state-visited";
  return "state";
}

function StateMachineDrawing({
  layout,
  position,
}: {
  layout: Layout;
  position: ExecutionPosition;
}) {
  const byName = new Map(layout.states.map((state) => [state.name, state]));
  return (
    <figure class="state-machine">
      <figcaption>
        The order workflow (statemachines/order.asl.json). Legend:{" "}
        <span class="legend legend-current">▶ current state</span>,{" "}
        <span class="legend legend-visited">✓ entered</span>,{" "}
        <span class="legend legend-failed">✕ failed once</span>,{" "}
        <span class="legend">not entered</span>. Thick arrows: transitions this execution took;
        dashed: a Choice's branches. Every task's failure leads to RecordFailure (not drawn).
      </figcaption>
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        height={layout.height}
        role="img"
        aria-labelledby="state-machine-title"
      >
        <title id="state-machine-title">
          {`The order workflow's ${layout.states.length} states; the execution is in ${position.current ?? "no state yet"}.`}
        </title>
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
          </marker>
        </defs>
        {layout.edges.map((edge) => {
          const from = byName.get(edge.from);
          const to = byName.get(edge.to);
          if (from === undefined || to === undefined) return null;
          let path: string;
          if (edge.back) {
            // Loops leave by the side away from the row's other states and come back up into
            // the target's same side.
            const right = edge.side === "right";
            const x1 = right ? from.x + BOX.width : from.x;
            const y1 = from.y + BOX.height / 2;
            const x2 = right ? to.x + BOX.width : to.x;
            const y2 = to.y + BOX.height / 2;
            const out = right
              ? Math.max(x1, x2) + BOX.loopSpace - 10
              : Math.min(x1, x2) - BOX.loopSpace + 10;
            path = `M ${x1} ${y1} C ${out} ${y1}, ${out} ${y2}, ${x2 + (right ? 2 : -2)} ${y2}`;
          } else {
            const x1 = from.x + BOX.width / 2;
            const y1 = from.y + BOX.height;
            const x2 = to.x + BOX.width / 2;
            const y2 = to.y;
            const bend = (y2 - y1) / 2;
            path = `M ${x1} ${y1} C ${x1} ${y1 + bend}, ${x2} ${y2 - bend}, ${x2} ${y2 - 2}`;
          }
          const taken = position.transitions.has(`${edge.from}->${edge.to}`);
          return (
            <path
              key={`${edge.from}->${edge.to}`}
              d={path}
              class={`edge${edge.kind === "choice" ? " edge-choice" : ""}${taken ? " edge-taken" : ""}`}
              marker-end="url(#arrow)"
            />
          );
        })}
        {layout.states.map((state) => {
          const current = state.name === position.current;
          const failed = position.failed.has(state.name);
          const visited = position.visited.has(state.name);
          const mark = current ? "▶ " : failed ? "✕ " : visited ? "✓ " : "";
          const entries = position.entries.get(state.name) ?? 0;
          return (
            <g
              key={state.name}
              class={boxFill(state.name, position)}
              data-state={state.name}
              data-current={current ? "true" : undefined}
            >
              <title>
                {`${state.name} (${state.type}): ${current ? "current state" : visited ? `entered ${entries} time${entries === 1 ? "" : "s"}` : "not entered"}${failed ? ", failed at least once" : ""}`}
              </title>
              <rect
                x={state.x}
                y={state.y}
                width={BOX.width}
                height={BOX.height}
                rx={state.type === "Choice" ? 18 : 6}
              />
              <text
                x={state.x + BOX.width / 2}
                y={state.y + 19}
                text-anchor="middle"
                class="state-name"
              >
                {mark}
                {state.name}
              </text>
              <text
                x={state.x + BOX.width / 2}
                y={state.y + 35}
                text-anchor="middle"
                class="state-type"
              >
                {state.type}
                {entries > 1 ? ` · ${entries}×` : ""}
                {current ? " · now" : ""}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

function EventHistory({ execution }: { execution: Execution }) {
  return (
    <section class="execution-events" aria-labelledby="events-title">
      <h2 id="events-title">Event history ({execution.events.length})</h2>
      <ol>
        {execution.events.map((event, index) => (
          <li
            key={`${index}:${event.timestamp}`}
            class={/Failed|TimedOut/.test(event.type) ? "failed" : ""}
          >
            <span class="event-time">{event.timestamp.slice(11, 23)}</span>{" "}
            <span class="event-type">{event.type}</span>
            {event.stateName === undefined ? null : (
              <>
                {" "}
                <strong>{event.stateName}</strong>
              </>
            )}
            {event.error === undefined && event.cause === undefined ? null : (
              <span class="detail">
                {" "}
                {event.error ?? ""} {event.cause ?? ""}
              </span>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
