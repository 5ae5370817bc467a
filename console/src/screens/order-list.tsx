import { useEffect, useState } from "preact/hooks";
import { ORDER_STATUSES, type OrderStatus } from "../../../functions/domain/order-status.ts";
import { ApiFailure, api, type Order } from "../api.ts";
import { ErrorNote, Loading, ScreenTitle, StatusBadge, Time } from "../components.tsx";
import { hrefOf, navigate } from "../router.ts";
import { statusWords } from "../words.ts";

const PAGE_SIZE = 20;

interface Page {
  readonly orders: readonly Order[];
  readonly nextCursor?: string;
}

/** The tenant's orders, newest first: filter by status, search by name, page with the cursor. */
export function OrderListScreen(props: { route: { status?: string; domain?: string } }) {
  const { status, domain } = props.route;
  const [statusField, setStatusField] = useState(status ?? "");
  const [domainField, setDomainField] = useState(domain ?? "");
  /** The cursor of each page shown so far; the last is the current page's. */
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  /** The page loaded last, and the listing it belongs to (a page of another filter is not shown). */
  const [loaded, setLoaded] = useState<{ key: string; page: Page } | undefined>();
  const [failure, setFailure] = useState<ApiFailure | undefined>();

  useEffect(() => {
    setStatusField(status ?? "");
    setDomainField(domain ?? "");
    setCursors([undefined]);
  }, [status, domain]);

  const cursor = cursors[cursors.length - 1];
  const key = `${status ?? ""}|${domain ?? ""}|${cursor ?? ""}`;
  const page = loaded?.key === key ? loaded.page : undefined;
  useEffect(() => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (status !== undefined) query.set("status", status);
    if (domain !== undefined) query.set("domain", domain);
    if (cursor !== undefined) query.set("cursor", cursor);
    let current = true;
    setFailure(undefined);
    api<Page>("GET", `/v1/orders?${query}`)
      .then((answer) => current && setLoaded({ key, page: answer }))
      .catch((error: unknown) => {
        if (current) setFailure(error instanceof ApiFailure ? error : undefined);
      });
    return () => {
      current = false;
    };
  }, [status, domain, cursor, key]);

  const search = (event: Event) => {
    event.preventDefault();
    const trimmed = domainField.trim();
    navigate({
      screen: "orders",
      ...(statusField === "" ? {} : { status: statusField }),
      ...(trimmed === "" ? {} : { domain: trimmed }),
    });
  };
  const filtered = status !== undefined || domain !== undefined;
  const pageNumber = cursors.length;

  return (
    <>
      <ScreenTitle title="Orders">Orders</ScreenTitle>
      <p class="lead">
        <a class="button primary" href={hrefOf({ screen: "new-order" })}>
          New order
        </a>
      </p>
      <search>
        <form class="filters" aria-label="Filter the orders" onSubmit={search}>
          <div class="field field-short">
            <label for="orders-status">Status</label>
            <select
              id="orders-status"
              value={statusField}
              onChange={(event) => setStatusField(event.currentTarget.value)}
            >
              <option value="">Any status</option>
              {ORDER_STATUSES.map((name) => (
                <option key={name} value={name}>
                  {statusWords(name).label}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="orders-domain">Name</label>
            <input
              id="orders-domain"
              type="search"
              value={domainField}
              placeholder="shop.example.com"
              spellcheck={false}
              onInput={(event) => setDomainField(event.currentTarget.value)}
              aria-describedby="orders-domain-hint"
            />
            <p class="hint" id="orders-domain-hint">
              Orders that include this whole name (any case; Unicode or punycode).
            </p>
          </div>
          <div class="filter-actions">
            <button type="submit">Show orders</button>
            {filtered ? (
              <a class="button" href={hrefOf({ screen: "orders" })}>
                Clear
              </a>
            ) : null}
          </div>
        </form>
      </search>
      <ErrorNote problem={failure} />
      {page === undefined && failure === undefined ? <Loading what="orders" /> : null}
      {page === undefined ? null : page.orders.length === 0 ? (
        <p role="status">
          {filtered ? "No order matches." : "No orders yet."}{" "}
          <a href={hrefOf({ screen: "new-order" })}>Order a certificate</a>.
        </p>
      ) : (
        <OrderTable orders={page.orders} page={pageNumber} status={status} domain={domain} />
      )}
      {page === undefined ? null : (
        <nav class="pager" aria-label="Pages of orders">
          <button
            type="button"
            disabled={cursors.length <= 1}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            <span aria-hidden="true">← </span>Newer orders
          </button>
          <span>Page {pageNumber}</span>
          <button
            type="button"
            disabled={page.nextCursor === undefined}
            onClick={() => setCursors([...cursors, page.nextCursor])}
          >
            Older orders<span aria-hidden="true"> →</span>
          </button>
        </nav>
      )}
    </>
  );
}

function OrderTable(props: {
  orders: readonly Order[];
  page: number;
  status: string | undefined;
  domain: string | undefined;
}) {
  const { orders, page, status, domain } = props;
  const filters = [
    status === undefined ? "" : ` ${statusWords(status as OrderStatus).label.toLowerCase()}`,
    domain === undefined ? "" : ` with ${domain}`,
  ].join("");
  return (
    <table class="orders">
      <caption>
        Orders{filters}, newest first (page {page}, {orders.length} shown)
      </caption>
      <thead>
        <tr>
          <th scope="col">Names</th>
          <th scope="col">Status</th>
          <th scope="col">Product</th>
          <th scope="col">Validation</th>
          <th scope="col">Ordered</th>
          <th scope="col">Certificate ends</th>
        </tr>
      </thead>
      <tbody>
        {orders.map((order) => (
          <tr key={order.id}>
            <th scope="row">
              <a href={hrefOf({ screen: "order", orderId: order.id })}>{order.domains[0]}</a>
              {order.domains.length > 1 ? (
                <span class="more"> and {order.domains.length - 1} more</span>
              ) : null}
              <span class="order-id">{order.id}</span>
            </th>
            <td>
              <StatusBadge status={order.status} />
            </td>
            <td>{order.product}</td>
            <td>{order.validations[0]?.method ?? ""}</td>
            <td>
              <Time at={order.createdAt} />
            </td>
            <td>
              <Time at={order.certificate?.notAfter} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
