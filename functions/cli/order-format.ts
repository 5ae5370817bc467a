import type { orderView } from "../api/order-view.ts";

/** The order as GET /v1/orders/{id} answers it (the API's order view, as JSON). */
export type OrderView = ReturnType<typeof orderView>;

export type ValidationView = OrderView["validations"][number];

/** POST /v1/orders/{id}/checks: each name's check, and whether the order moved on. */
export interface CheckAnswer {
  readonly id: string;
  readonly allPublished: boolean;
  readonly resumed: boolean;
  readonly results: readonly {
    readonly domain: string;
    readonly ok: boolean;
    readonly cause?: string;
    readonly detail?: string;
    readonly servers?: readonly {
      readonly name: string;
      readonly address: string;
      readonly found: boolean;
      readonly answered: boolean;
    }[];
    readonly caa?: { readonly ok: boolean; readonly cause?: string; readonly detail?: string };
  }[];
}

/** Statuses an order does not leave by itself. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set([
  "ISSUED",
  "FAILED",
  "CANCELLED",
  "REVOKED",
  "EXPIRED",
]);

/** "40 s", "12 min", "3 h 5 min", "2 d 4 h": how long, as people read it. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** "2026-03-01 12:00 UTC" from an ISO timestamp. */
export function when(iso: string | undefined): string {
  if (iso === undefined) return "-";
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match === null ? iso : `${match[1]} ${match[2]} UTC`;
}

/** What the customer publishes for one name, exactly: each value on a line of its own. */
export function publishLines(validation: ValidationView): string[] {
  const instructions = validation.instructions;
  if (instructions === undefined) return [];
  switch (instructions.method) {
    case "dns-txt":
    case "dns-cname":
      return [
        `${validation.domain}: DNS ${instructions.recordType} record`,
        `  name:  ${instructions.host}`,
        `  type:  ${instructions.recordType}`,
        `  value: ${instructions.value}`,
      ];
    case "http-file":
      return [
        `${validation.domain}: HTTP file`,
        `  URL:     ${instructions.url}`,
        `  content: ${instructions.content}`,
      ];
    case "email":
      return [
        `${validation.domain}: approval by mail`,
        `  approver: ${instructions.approver} (gets a link to approve; nothing to publish)`,
      ];
    default: {
      const unknown: never = instructions;
      return [`${validation.domain}: ${JSON.stringify(unknown)}`];
    }
  }
}

/** Everything still to publish for the order: each open name's record, file or approver. */
export function publishBlock(order: OrderView): string[] {
  const open = order.validations.filter(
    (validation) => validation.status !== "valid" && validation.instructions !== undefined,
  );
  if (open.length === 0) return [];
  const deadline =
    order.validationDeadline === undefined ? "" : ` by ${when(order.validationDeadline)}`;
  return [
    `Publish this${deadline}:`,
    ...open.flatMap((validation) => publishLines(validation).map((line) => `  ${line}`)),
  ];
}

/** A key that changes when what to publish changes (a new method, new values). */
export function publishKey(order: OrderView): string {
  return JSON.stringify(
    order.validations
      .filter((validation) => validation.status !== "valid")
      .map((validation) => validation.instructions),
  );
}

/** One name's last check in a few words: "NO_RECORD" or "published". */
function checkWord(result: { ok: boolean; cause?: string }): string {
  return result.ok ? "published" : (result.cause ?? "not yet");
}

export interface ProgressState {
  /** When the command asks again, in ms since the epoch. */
  readonly nextCheckAt?: number;
  readonly now: number;
}

/**
 * The progress line: the status and what the order waits for. With `withTimes`, countdowns
 * too (a terminal line rewritten in place); without, only what changes by itself, so that
 * plain output gets one line per change.
 */
export function progressText(order: OrderView, state: ProgressState, withTimes: boolean): string {
  const parts: string[] = [order.status];
  switch (order.status) {
    case "SUBMITTED":
      parts.push("placing the order with the CA");
      break;
    case "PENDING_VALIDATION": {
      const valid = order.validations.filter((validation) => validation.status === "valid").length;
      parts.push(`${valid}/${order.validations.length} validated`);
      // Times before names: a terminal line cut at its width keeps what changes.
      if (withTimes && state.nextCheckAt !== undefined) {
        parts.push(`next check in ${duration((state.nextCheckAt - state.now) / 1000)}`);
      }
      if (withTimes && order.validationDeadline !== undefined) {
        parts.push(
          `deadline in ${duration((Date.parse(order.validationDeadline) - state.now) / 1000)}`,
        );
      }
      for (const validation of order.validations) {
        if (validation.status === "valid") continue;
        const last = validation.lastCheck;
        parts.push(
          last === undefined
            ? `${validation.domain}: not checked yet`
            : `${validation.domain}: ${checkWord(last)}`,
        );
      }
      break;
    }
    case "PENDING_REVIEW":
      parts.push(`organization review ${order.review?.status ?? "open"}`);
      break;
    case "ISSUING":
      parts.push("the CA is issuing");
      break;
    case "ISSUED":
      parts.push(
        order.certificate === undefined
          ? "issued"
          : `serial ${order.certificate.serialNumber}, valid until ${when(order.certificate.notAfter)}`,
      );
      break;
    default:
      if (order.failure !== undefined)
        parts.push(`${order.failure.code}: ${order.failure.message}`);
  }
  return parts.join(" · ");
}

/** Why an order ended without a certificate: "FAILED: CODE: message". */
export function endText(order: OrderView): string {
  return order.failure === undefined
    ? `order ${order.id} is ${order.status}`
    : `order ${order.id} is ${order.status}: ${order.failure.code}: ${order.failure.message}`;
}

/** `certflow status`: the order, what it waits for, its certificate. */
export function statusLines(order: OrderView, now: number): string[] {
  const lines = [`Order ${order.id}: ${order.status}`];
  const row = (label: string, value: string) => lines.push(`  ${`${label}:`.padEnd(13)}${value}`);
  row("names", order.domains.join(", "));
  row("product", order.product);
  row("created", when(order.createdAt));
  if (order.failure !== undefined)
    row("failure", `${order.failure.code}: ${order.failure.message}`);
  if (order.status === "PENDING_VALIDATION" && order.validationDeadline !== undefined) {
    row(
      "deadline",
      `${when(order.validationDeadline)} (in ${duration((Date.parse(order.validationDeadline) - now) / 1000)})`,
    );
  }
  if (order.review !== undefined) {
    row("review", `${order.review.status}${order.review.reason ? `: ${order.review.reason}` : ""}`);
  }
  if (order.certificate !== undefined) {
    row(
      "certificate",
      `serial ${order.certificate.serialNumber}, valid ${when(order.certificate.notBefore)} to ${when(order.certificate.notAfter)}`,
    );
  }
  if (order.renewal !== undefined && order.status === "ISSUED") {
    const renewal = order.renewal;
    const next =
      renewal.status !== undefined
        ? `renewing now (${renewal.status.orderId}${renewal.status.status === undefined ? "" : `, ${renewal.status.status}`})`
        : renewal.nextAt !== undefined
          ? `${renewal.auto ? "automatic" : "by hand"}, next ${when(renewal.nextAt)}`
          : renewal.notRenewing !== undefined
            ? `not renewing: ${renewal.notRenewing}`
            : renewal.auto
              ? "automatic"
              : "by hand";
    row("renewal", next);
    if (renewal.lastFailure !== undefined) {
      row("last renewal", `failed: ${renewal.lastFailure.code}: ${renewal.lastFailure.message}`);
    }
  }
  const open = order.status === "PENDING_VALIDATION";
  for (const validation of order.validations) {
    lines.push(`  ${validation.domain} (${validation.method}): ${validation.status}`);
    const check = validation.lastCheck;
    if (check !== undefined && validation.status !== "valid") {
      lines.push(
        `    last check ${when(check.at)}: ${checkWord(check)}${check.detail ? `: ${check.detail}` : ""}`,
      );
    }
  }
  if (open) {
    const block = publishBlock(order);
    if (block.length > 0) lines.push("", ...block);
  }
  for (const warning of order.warnings ?? []) lines.push(`note: ${warning.message}`);
  return lines;
}

/** `certflow check`: each name's check, with the cause and what to do. */
export function checkLines(answer: CheckAnswer): string[] {
  const lines = [
    answer.allPublished
      ? `Everything is published${answer.resumed ? "; the order goes on now." : "."}`
      : "Not everything is published yet:",
  ];
  for (const result of answer.results) {
    lines.push(`  ${result.domain}: ${checkWord(result)}`);
    if (!result.ok && result.detail !== undefined) lines.push(`    ${result.detail}`);
    for (const server of result.servers ?? []) {
      const state = !server.answered ? "no answer" : server.found ? "has it" : "not yet";
      lines.push(`    ${server.name} (${server.address}): ${state}`);
    }
    if (result.caa !== undefined && !result.caa.ok) {
      lines.push(
        `    CAA: ${result.caa.cause ?? "not ok"}${result.caa.detail ? `: ${result.caa.detail}` : ""}`,
      );
    }
  }
  return lines;
}

/** `certflow list`: one line per order, in columns. */
export function listLines(orders: readonly OrderView[]): string[] {
  if (orders.length === 0) return ["No orders."];
  const rows = orders.map((order) => [
    order.id,
    order.status,
    when(order.createdAt),
    order.certificate === undefined ? "-" : when(order.certificate.notAfter),
    order.domains.join(", "),
  ]);
  const header = ["ID", "STATUS", "CREATED", "VALID UNTIL", "NAMES"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join("  ");
  return [line(header), ...rows.map(line)];
}
