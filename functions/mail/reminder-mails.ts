import type { OrderRecord, ValidationRecord } from "../domain/order-record.ts";
import { type ReminderMark, waitsForPublication } from "../domain/validation-reminders.ts";
import type { MailMessage } from "../ports/mailer.ts";
import { describeInstructions } from "./order-mails.ts";

/** How the reminder of `mark` names the time passed: "half of the validation time". */
export function reminderMarkText(mark: ReminderMark): string {
  return mark === 50 ? "half of the validation time" : `${mark} % of the validation time`;
}

/**
 * Time left in words, never more than there is by a whole unit: "12 h" (from 10 hours, to the
 * nearest hour), "2 h 24 min", "45 min", "30 s".
 */
export function timeLeftText(seconds: number): string {
  const left = Math.max(0, Math.floor(seconds));
  if (left >= 10 * 3600) return `${Math.round(left / 3600)} h`;
  if (left >= 3600) {
    const minutes = Math.floor((left % 3600) / 60);
    return minutes === 0
      ? `${Math.floor(left / 3600)} h`
      : `${Math.floor(left / 3600)} h ${minutes} min`;
  }
  if (left >= 60) return `${Math.floor(left / 60)} min`;
  return `${left} s`;
}

/** The time left until the order's validation deadline, in words, at `now`. */
export function reminderTimeLeft(order: OrderRecord, now: Date): string {
  const deadline = order.validationDeadline ?? now.toISOString();
  return timeLeftText((Date.parse(deadline) - now.getTime()) / 1000);
}

/** A check's named cause in plain words (causes of functions/orders/publication-checks.ts). */
const PLAIN_CAUSES: Readonly<Record<string, string>> = {
  NXDOMAIN: "the name does not exist in DNS",
  NO_RECORD: "the record was not found",
  WRONG_VALUE: "something is published, but not the value asked for",
  REDIRECTED: "the file's address redirects elsewhere; it must answer itself, without redirects",
  HTTP_STATUS: "the file's address did not answer with status 200",
  TRAILING_NEWLINE: "the file ends with a newline, which must go",
  CONNECTION_REFUSED: "the web server refused the connection",
  TIMEOUT: "the check got no answer in time",
  DNS_SERVFAIL:
    "the name's DNS servers answered with an error (SERVFAIL: often a broken delegation or DNSSEC)",
  ADDRESS_NOT_PUBLIC:
    "the name leads to an address off the public internet, where nothing can be checked",
  NOT_PROPAGATED: "the record is on some of the zone's name servers, not yet on all of them",
  CAA_FORBIDS: "the name's CAA records do not allow this CA to issue",
};

const capitalized = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** Where a name still waiting stands after the latest check, in a line of the mail. */
function checkLine(validation: ValidationRecord): string {
  const check = validation.lastCheck;
  if (check === undefined) return `${validation.domain}: not checked yet.`;
  if (check.ok) return `${validation.domain} (checked ${check.at}): found.`;
  const cause = check.cause ?? "NOT_FOUND";
  const plain = PLAIN_CAUSES[cause] ?? "the check did not find it";
  const detail = check.detail === undefined ? "" : ` ${check.detail}`;
  return `${validation.domain} (checked ${check.at}): ${capitalized(plain)} (${cause}).${detail}`;
}

/** Where a name the customer need not publish for stands, in a line of the mail. */
function settledLine(validation: ValidationRecord): string {
  if (validation.instructions.method === "email" && validation.status === "pending") {
    return `${validation.domain}: waiting for ${validation.instructions.approver} to approve by email.`;
  }
  switch (validation.status) {
    case "valid":
      return `${validation.domain}: validated.`;
    case "invalid":
      return `${validation.domain}: refused (${validation.lastCheck?.detail ?? "see the order"}).`;
    default:
      return `${validation.domain}: found at the latest check.`;
  }
}

/**
 * The reminder that `mark` percent of the validation time passed without every record or file
 * published: per name the latest check's result, what to publish again, the deadline and the
 * "verify now" call. `now` is when the check that found it began.
 */
export function reminderMail(
  order: OrderRecord,
  mark: ReminderMark,
  now: Date,
  apiUrl: string,
): MailMessage {
  const waiting = order.validations.filter(waitsForPublication);
  const files = waiting.filter((validation) => validation.instructions.method === "http-file");
  const what =
    files.length === 0
      ? "records"
      : files.length === waiting.length
        ? "files"
        : "records and files";
  const first = order.names[0]?.display ?? order.orderId;
  const deadline = order.validationDeadline ?? now.toISOString();
  const left = reminderTimeLeft(order, now);
  const others = order.validations.filter((validation) => !waitsForPublication(validation));
  return {
    to: [order.contact.email],
    subject: `Reminder: publish the ${what} for ${first} (${left} left)`,
    text: [
      `Hello ${order.contact.name},`,
      "",
      `${capitalized(reminderMarkText(mark))} for order ${order.orderId} (${order.names.map((name) => name.display).join(", ")}) has passed, and not every name is validated yet. The deadline is ${deadline}, ${left} from now: a name still not valid then makes the order fail.`,
      "",
      "Not valid yet:",
      ...waiting.map((validation) => `  ${checkLine(validation)}`),
      ...(others.length === 0
        ? []
        : [
            "",
            "Nothing to publish for:",
            ...others.map((validation) => `  ${settledLine(validation)}`),
          ]),
      "",
      "What to publish:",
      "",
      ...waiting.flatMap((validation) => [
        describeInstructions(validation.domain, validation.instructions),
        "",
      ]),
      `We keep checking on our own until ${deadline}.`,
      `Once published, ask for an immediate check: POST ${apiUrl}/v1/orders/${order.orderId}/checks`,
    ].join("\n"),
  };
}
