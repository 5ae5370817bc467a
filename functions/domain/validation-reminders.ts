import type { ValidationRecord } from "./order-record.ts";

/**
 * Reminders while an order waits for its customer to publish: a mail when half and when 90 % of
 * the validation time have passed and not everything is published. The validation time runs
 * from when the customer was told what to publish (the order's validation started) until its
 * validation deadline. Marks are percent of that time, as `OrderRecord.validationReminders`
 * records them.
 */
export const REMINDER_MARKS = [50, 90] as const;

export type ReminderMark = (typeof REMINDER_MARKS)[number];

/** The validation time of an order. */
export interface ValidationWindow {
  readonly startedAt: Date;
  readonly deadline: Date;
}

/** When `mark` percent of the validation time has passed (to the millisecond, never before). */
export function reminderMarkAt(window: ValidationWindow, mark: number): Date {
  const start = window.startedAt.getTime();
  return new Date(start + Math.ceil(((window.deadline.getTime() - start) * mark) / 100));
}

/**
 * The marks the check cadence places a turn at (`marks` of check-cadence.ts): the 90 % mark.
 * Late in the wait one turn (up to 2 h by default) is a large part of the time left, so without
 * a turn there the last reminder could come with little time left; the 50 % reminder goes at the
 * first turn after its mark, at most one turn late, with about half the time still left. A mark
 * costs the wait loop one more change of turn length (2 transitions) and at most one check:
 * with both marks a 24 h wait nobody publishes for would take 32 transitions instead of 27, with
 * the 90 % mark alone 30.
 */
export const CADENCE_MARKS: readonly ReminderMark[] = [90];

/** The times of `CADENCE_MARKS` in this validation time. */
export function cadenceMarkTimes(window: ValidationWindow): Date[] {
  return CADENCE_MARKS.map((mark) => reminderMarkAt(window, mark));
}

/**
 * Whether a name waits for the customer to publish a record or file: names approved by email
 * are not reminded of (their approvers got links), nor names found or validated.
 */
export function waitsForPublication(validation: ValidationRecord): boolean {
  return validation.status === "pending" && validation.instructions.method !== "email";
}

/** Whether some name still waits for the customer to publish it. */
export function awaitsPublication(validations: readonly ValidationRecord[]): boolean {
  return validations.some(waitsForPublication);
}

export interface ReminderQuestion extends ValidationWindow {
  /** When the check that found not everything published began. */
  readonly now: Date;
  /** Marks reminded of already (the order's `validationReminders`). */
  readonly sent: readonly number[];
  /** Whether a name still waits for the customer to publish it (`awaitsPublication`). */
  readonly awaitingPublication: boolean;
}

export interface DueReminder {
  /** The mark the mail tells of. */
  readonly mark: ReminderMark;
  /** Every mark reminded of once this one is mailed: what the order records. */
  readonly sent: readonly number[];
}

/**
 * The reminder due at `now`, if one is: the latest mark passed after the last one sent, while a
 * name still waits to be published and the deadline has not come. When two marks passed since
 * the last reminder (a long turn, a stopped execution), only the later one is mailed and both
 * are recorded.
 */
export function dueReminder(question: ReminderQuestion): DueReminder | undefined {
  if (!question.awaitingPublication) return undefined;
  if (!(question.now.getTime() < question.deadline.getTime())) return undefined;
  const lastSent = Math.max(0, ...question.sent);
  const passed = REMINDER_MARKS.filter(
    (mark) => mark > lastSent && question.now.getTime() >= reminderMarkAt(question, mark).getTime(),
  );
  const mark = passed.at(-1);
  if (mark === undefined) return undefined;
  const sent = [...new Set([...question.sent, ...passed])].sort((a, b) => a - b);
  return { mark, sent };
}
