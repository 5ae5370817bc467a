import { describe, expect, it } from "vitest";
import type { ValidationRecord } from "../../../functions/domain/order-record.ts";
import {
  nextPublicationCheck,
  nextWaitTurn,
  waitsOnlyForApprovers,
} from "../../../functions/workflow/publication-cadence.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../functions/workflow/workflow-settings.ts";
import { emailValidation } from "../../support/email-approvals.ts";
import { pendingValidation } from "../../support/order-store-contract.ts";

const ADMIN = "admin@example.com";
const STARTED = new Date("2027-01-10T08:00:00.000Z");
const DEADLINE = new Date("2027-01-11T08:00:00.000Z");
const at = (secondsAfterStart: number) => new Date(STARTED.getTime() + secondsAfterStart * 1000);

const withStatus = (
  validation: ValidationRecord,
  status: ValidationRecord["status"],
): ValidationRecord => ({ ...validation, status });

describe("waitsOnlyForApprovers", () => {
  it.each([
    ["one name waiting for its approver", [emailValidation("a.example.com", ADMIN)], true],
    [
      "approvers, besides names published or validated",
      [
        emailValidation("a.example.com", ADMIN),
        withStatus(pendingValidation("b.example.com"), "published"),
        withStatus(pendingValidation("c.example.com"), "valid"),
        emailValidation("d.example.com", ADMIN, "published"),
      ],
      true,
    ],
    [
      "an approver and a DNS record",
      [emailValidation("a.example.com", ADMIN), pendingValidation("b.example.com")],
      false,
    ],
    ["a DNS record only", [pendingValidation("b.example.com")], false],
    ["nothing: every name approved", [emailValidation("a.example.com", ADMIN, "published")], false],
    ["nothing at all", [], false],
  ] as const)("is %s: %s", (_case, validations, expected) => {
    // Act
    const only = waitsOnlyForApprovers(validations);

    // Assess
    expect(only).toBe(expected);
  });
});

describe("nextWaitTurn", () => {
  const approverOnly = [emailValidation("a.example.com", ADMIN)];

  it.each([
    ["at the start", 0, 86_400],
    ["an hour in", 3600, 82_800],
    ["half a second before the deadline", 86_399.5, 1],
    ["a second and a half before it", 86_398.5, 2],
  ])("waits for approvers in one turn up to the deadline: %s", (_case, elapsed, waitSeconds) => {
    // Act
    const next = nextWaitTurn(approverOnly, DEADLINE, DEFAULT_WORKFLOW_SETTINGS, at(elapsed));

    // Assess
    expect(next).toEqual({ kind: "check", waitSeconds });
  });

  it.each([
    ["at", 86_400],
    ["after", 90_000],
  ])("for approvers %s the deadline: deadline-passed", (_case, elapsed) => {
    // Act
    const next = nextWaitTurn(approverOnly, DEADLINE, DEFAULT_WORKFLOW_SETTINGS, at(elapsed));

    // Assess
    expect(next).toEqual({ kind: "deadline-passed" });
  });

  it.each([0, 3600, 50_000, 86_400])(
    "waits by the cadence of checks when something must be looked at (%s s in)",
    (elapsed) => {
      // Prepare
      const validations = [
        emailValidation("a.example.com", ADMIN),
        pendingValidation("b.example.com"),
      ];

      // Act
      const next = nextWaitTurn(validations, DEADLINE, DEFAULT_WORKFLOW_SETTINGS, at(elapsed));

      // Assess
      expect(next).toEqual(nextPublicationCheck(DEADLINE, DEFAULT_WORKFLOW_SETTINGS, at(elapsed)));
    },
  );

  it("counts the cadence from one validation timeout before the deadline", () => {
    // Act
    const early = nextPublicationCheck(DEADLINE, DEFAULT_WORKFLOW_SETTINGS, at(600));
    const late = nextPublicationCheck(DEADLINE, DEFAULT_WORKFLOW_SETTINGS, at(3600));

    // Assess: after the hour, 20.6 h up to the 90 % mark (21.6 h) in 11 equal turns.
    expect(early).toEqual({ kind: "check", waitSeconds: 900 });
    expect(late).toEqual({ kind: "check", waitSeconds: 6742 });
  });

  it("ends a turn at the last reminder's mark (90 %), then splits the rest up to the deadline", () => {
    // Act
    const beforeMark = nextPublicationCheck(DEADLINE, DEFAULT_WORKFLOW_SETTINGS, at(71_020));
    const atMark = nextPublicationCheck(DEADLINE, DEFAULT_WORKFLOW_SETTINGS, at(77_762));

    // Assess
    expect(beforeMark).toEqual({ kind: "check", waitSeconds: 6740 });
    expect(atMark).toEqual({ kind: "check", waitSeconds: 4319 });
  });
});
