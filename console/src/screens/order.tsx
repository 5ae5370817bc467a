import { useCallback, useRef, useState } from "preact/hooks";
import { STATUS_KIND } from "../../../functions/domain/order-status.ts";
import { ApiFailure, api, type Caller, type Order, type OrderEvent } from "../api.ts";
import { announce, ErrorNote, Loading, ScreenTitle, StatusBadge, Time } from "../components.tsx";
import { ACTIVE_BACKOFF, RESTING_BACKOFF, usePolling } from "../live.ts";
import { hrefOf } from "../router.ts";
import { statusWords } from "../words.ts";
import { OrderActions } from "./order-actions.tsx";
import { CertificateSection, RenewalSection } from "./order-certificate.tsx";
import { HistorySection } from "./order-history.tsx";
import { ReviewSection } from "./order-review.tsx";
import { ValidationSection } from "./order-validation.tsx";

/** Whether the order moves by itself now (a running workflow, or a renewal in flight). */
export function isMoving(order: Order): boolean {
  return STATUS_KIND[order.status] === "transient" || order.renewal?.status !== undefined;
}

/**
 * One order: where it stands, what to publish (with "Verify now" and the deadline), downloads,
 * renewal, the actions its status allows, and its history. Polls with backoff while it moves, so
 * "Issued" appears without reloading.
 */
export function OrderScreen({ orderId, caller }: { orderId: string; caller: Caller }) {
  const [order, setOrder] = useState<Order | undefined>();
  const [history, setHistory] = useState<readonly OrderEvent[]>([]);
  const [failure, setFailure] = useState<ApiFailure | undefined>();
  const lastStatus = useRef<string | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      const [current, events] = await Promise.all([
        api<Order>("GET", `/v1/orders/${orderId}`),
        api<{ events: OrderEvent[] }>("GET", `/v1/orders/${orderId}/history`),
      ]);
      setOrder(current);
      setHistory(events.events);
      setFailure(undefined);
      if (lastStatus.current !== undefined && lastStatus.current !== current.status) {
        announce(`The order is now ${statusWords(current.status).label}.`);
      }
      lastStatus.current = current.status;
      return {
        fingerprint: `${current.updatedAt}|${events.events.length}`,
        backoff: isMoving(current) ? ACTIVE_BACKOFF : RESTING_BACKOFF,
      };
    } catch (error) {
      if (error instanceof ApiFailure) setFailure(error);
      return undefined;
    }
  }, [orderId]);
  const { poke } = usePolling(load, orderId);

  if (order === undefined) {
    return (
      <>
        <ScreenTitle title={`Order ${orderId}`}>Order {orderId}</ScreenTitle>
        {failure === undefined ? <Loading what="the order" /> : <ErrorNote problem={failure} />}
      </>
    );
  }
  const words = statusWords(order.status);
  return (
    <>
      <p class="breadcrumb">
        <a href={hrefOf(caller.role === "operator" ? { screen: "find" } : { screen: "orders" })}>
          {caller.role === "operator" ? "Find an order" : "Orders"}
        </a>{" "}
        <span aria-hidden="true">›</span> {order.id}
      </p>
      <ScreenTitle title={`${order.domains[0] ?? order.id} · order`}>
        {order.domains[0] ?? order.id}
        {order.domains.length > 1 ? (
          <span class="subtitle"> and {order.domains.length - 1} more</span>
        ) : null}
      </ScreenTitle>
      <div class="order-summary">
        <p class="status-line" id="order-status">
          <StatusBadge status={order.status} /> <span>{words.sentence}</span>
        </p>
        <dl class="facts">
          <div>
            <dt>Order</dt>
            <dd>
              <code>{order.id}</code>
            </dd>
          </div>
          <div>
            <dt>Product</dt>
            <dd>{order.product}</dd>
          </div>
          <div>
            <dt>Names</dt>
            <dd>{order.domains.join(", ")}</dd>
          </div>
          <div>
            <dt>Ordered</dt>
            <dd>
              <Time at={order.createdAt} />
            </dd>
          </div>
          <div>
            <dt>Last change</dt>
            <dd>
              <Time at={order.updatedAt} />
            </dd>
          </div>
          {order.renewalOf === undefined ? null : (
            <div>
              <dt>Renews</dt>
              <dd>
                <a href={hrefOf({ screen: "order", orderId: order.renewalOf })}>
                  {order.renewalOf}
                </a>
              </dd>
            </div>
          )}
          {caller.role === "operator" && order.execution !== undefined ? (
            <div>
              <dt>Execution</dt>
              <dd>
                <a href={hrefOf({ screen: "execution", orderId: order.id })}>
                  {order.execution.name}
                </a>{" "}
                (state machine view)
              </dd>
            </div>
          ) : null}
        </dl>
        <p class="live-note">
          <span aria-hidden="true">↻ </span>
          {isMoving(order)
            ? "This page follows the order as it moves; no need to reload."
            : "This page looks for changes now and then."}
        </p>
      </div>
      <ErrorNote problem={failure} />
      {order.failure === undefined ? null : (
        <section class="failure" aria-labelledby="failure-title">
          <h2 id="failure-title">
            <span aria-hidden="true">✕ </span>Why the order failed
          </h2>
          <p>
            <span class="problem-code">{order.failure.code}</span>: {order.failure.message}
          </p>
        </section>
      )}
      {order.warnings === undefined || order.warnings.length === 0 ? null : (
        <ul class="warnings" aria-label="Warnings">
          {order.warnings.map((warning) => (
            <li key={warning.code}>
              <span aria-hidden="true">⚠ </span>
              <span class="problem-code">{warning.code}</span>: {warning.message}
            </li>
          ))}
        </ul>
      )}
      <ValidationSection order={order} onChecked={poke} />
      {order.product === "DV" ? null : (
        <ReviewSection order={order} caller={caller} onChanged={poke} />
      )}
      <CertificateSection order={order} caller={caller} />
      <RenewalSection order={order} caller={caller} onChanged={poke} />
      <OrderActions order={order} caller={caller} onChanged={poke} />
      <HistorySection history={history} />
    </>
  );
}
