import { describe, expect, it } from "vitest";
import { plannedChecks } from "../../../functions/domain/check-cadence.ts";
import type { ValidationRecord } from "../../../functions/domain/order-record.ts";
import {
  awaitsPublication,
  cadenceMarkTimes,
  dueReminder,
  type ReminderQuestion,
  reminderMarkAt,
} from "../../../functions/domain/validation-reminders.ts";
import { emailValidation } from "../../support/email-approvals.ts";
import { pendingValidation } from "../../support/order-store-contract.ts";

const HOUR = 3600;
const startedAt = new Date("2027-01-10T08:00:00.000Z");
const at = (seconds: number) => new Date(startedAt.getTime() + seconds * 1000);
const deadline = at(24 * HOUR);

function reminderAt(seconds: number, overrides: Partial<ReminderQuestion> = {}) {
  return dueReminder({
    startedAt,
    deadline,
    now: at(seconds),
    sent: [],
    awaitingPublication: true,
    ...overrides,
  });
}

describe("reminderMarkAt", () => {
  it("is the share of the time from the start to the deadline", () => {
    expect(reminderMarkAt({ startedAt, deadline }, 50)).toEqual(at(12 * HOUR));
    expect(reminderMarkAt({ startedAt, deadline }, 90)).toEqual(at(21.6 * HOUR));
  });

  it("is never before the share, to the millisecond", () => {
    const odd = { startedAt, deadline: new Date(startedAt.getTime() + 7) };
    expect(reminderMarkAt(odd, 50).getTime() - startedAt.getTime()).toBe(4);
  });
});

describe("dueReminder", () => {
  it("is none before half the validation time", () => {
    expect(reminderAt(0)).toBeUndefined();
    expect(reminderAt(12 * HOUR - 1)).toBeUndefined();
  });

  it("is the 50 % reminder from half the time on, until it is sent", () => {
    expect(reminderAt(12 * HOUR)).toEqual({ mark: 50, sent: [50] });
    expect(reminderAt(15 * HOUR)).toEqual({ mark: 50, sent: [50] });
    expect(reminderAt(15 * HOUR, { sent: [50] })).toBeUndefined();
  });

  it("is the 90 % reminder from 90 % of the time on, until it is sent", () => {
    expect(reminderAt(21.6 * HOUR - 1, { sent: [50] })).toBeUndefined();
    expect(reminderAt(21.6 * HOUR, { sent: [50] })).toEqual({ mark: 90, sent: [50, 90] });
    expect(reminderAt(23 * HOUR, { sent: [50, 90] })).toBeUndefined();
  });

  it("mails only the 90 % reminder when both marks passed at once, and records both", () => {
    expect(reminderAt(22 * HOUR)).toEqual({ mark: 90, sent: [50, 90] });
  });

  it("never goes back to a mark earlier than one sent", () => {
    expect(reminderAt(22 * HOUR, { sent: [90] })).toBeUndefined();
  });

  it("is none once everything is published", () => {
    expect(reminderAt(13 * HOUR, { awaitingPublication: false })).toBeUndefined();
    expect(reminderAt(22 * HOUR, { awaitingPublication: false })).toBeUndefined();
  });

  it("is none at or after the deadline", () => {
    expect(reminderAt(24 * HOUR)).toBeUndefined();
    expect(reminderAt(25 * HOUR, { sent: [50] })).toBeUndefined();
  });

  it("follows a short validation time too", () => {
    const short = { deadline: at(20) };
    expect(reminderAt(9, short)).toBeUndefined();
    expect(reminderAt(10, short)).toEqual({ mark: 50, sent: [50] });
    expect(reminderAt(18, { ...short, sent: [50] })).toEqual({ mark: 90, sent: [50, 90] });
  });
});

describe("awaitsPublication", () => {
  const published = (validation: ValidationRecord): ValidationRecord => ({
    ...validation,
    status: "published",
  });

  it.each([
    ["a record still pending", true, [pendingValidation("a.example.com")]],
    [
      "a record pending beside one found",
      true,
      [published(pendingValidation("a.example.com")), pendingValidation("b.example.com")],
    ],
    ["everything found", false, [published(pendingValidation("a.example.com"))]],
    ["only approvers by email", false, [emailValidation("a.example.com", "admin@example.com")]],
    [
      "an approver and a record",
      true,
      [emailValidation("a.example.com", "admin@example.com"), pendingValidation("b.example.com")],
    ],
  ] as const)("%s: %s", (_case, expected, validations) => {
    expect(awaitsPublication(validations)).toBe(expected);
  });
});

describe("the check cadence with the reminders' marks", () => {
  const cadence = { earlySeconds: 900, earlyPeriodSeconds: HOUR, lateSeconds: 2 * HOUR };

  it("runs a check at the 90 % mark and the 50 % mark's first within one turn of it", () => {
    // Act
    const checks = plannedChecks({
      startedAt,
      deadline,
      cadence,
      marks: cadenceMarkTimes({ startedAt, deadline }),
    });

    // Assess: 11 turns of about 6742 s up to the 90 % mark, 2 after it up to the deadline.
    expect(checks).toHaveLength(18);
    expect(checks).toContain(21.6 * HOUR);
    const after50 = checks.find((check) => check >= 12 * HOUR) ?? Number.NaN;
    expect(after50 - 12 * HOUR).toBeLessThan(6742);
    expect(checks.slice(-3)).toEqual([21.6 * HOUR, 22.8 * HOUR, 24 * HOUR]);
  });

  it("puts a check at the mark in the first hour too, for short validation times", () => {
    const hour = at(HOUR);

    // Act
    const checks = plannedChecks({
      startedAt,
      deadline: hour,
      cadence,
      marks: cadenceMarkTimes({ startedAt, deadline: hour }),
    });

    // Assess: the 90 % mark is 54 minutes in.
    expect(checks).toEqual([0, 900, 1800, 2700, 3240, 3600]);
  });
});
