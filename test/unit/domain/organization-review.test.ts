import { describe, expect, it } from "vitest";
import type {
  EvDetails,
  Organization,
  ReviewRecord,
} from "../../../functions/domain/order-record.ts";
import {
  describeReview,
  ORGANIZATION_REUSE_DAYS,
  organizationFingerprint,
  organizationReusableUntil,
  reviewPending,
  reviewTurn,
} from "../../../functions/domain/organization-review.ts";

const organization: Organization = {
  name: "Example GmbH",
  unit: "IT",
  locality: "Berlin",
  state: "Berlin",
  country: "DE",
};
const ev: EvDetails = {
  jurisdictionCountry: "DE",
  jurisdictionState: "Berlin",
  jurisdictionLocality: "Berlin",
  businessCategory: "Private Organization",
  registrationNumber: "HRB 12345 B",
};
const DEADLINE = "2027-01-17T08:00:00.000Z";
const deadline = new Date(DEADLINE);
const secondsBefore = (seconds: number) => new Date(deadline.getTime() - seconds * 1000);
const review = (overrides: Partial<ReviewRecord>): ReviewRecord => ({
  status: "awaiting-decision",
  deadline: DEADLINE,
  ...overrides,
});

describe("organizationFingerprint", () => {
  it("folds case, surrounding space and runs of inner space, in every field", () => {
    // Prepare
    const written: Organization = {
      name: "  EXAMPLE   gmbh ",
      unit: "it\t",
      locality: "BERLIN",
      state: " berlin",
      country: "de",
    };
    const writtenEv: EvDetails = {
      jurisdictionCountry: " de ",
      jurisdictionState: "BERLIN",
      jurisdictionLocality: "berlin ",
      businessCategory: "private   ORGANIZATION",
      registrationNumber: "hrb 12345\u00a0 b",
    };

    // Act
    const folded = organizationFingerprint(written, writtenEv);

    // Assess
    expect(folded).toBe(organizationFingerprint(organization, ev));
    expect(organizationFingerprint(written)).toBe(organizationFingerprint(organization));
  });

  it("takes an absent unit as an empty one", () => {
    // Prepare
    const { unit: _unit, ...withoutUnit } = organization;

    // Act
    const fingerprints = [
      organizationFingerprint(withoutUnit),
      organizationFingerprint({ ...withoutUnit, unit: "  " }),
    ];

    // Assess
    expect(fingerprints[0]).toBe(fingerprints[1]);
    expect(fingerprints[0]).not.toBe(organizationFingerprint(organization));
  });

  it.each([
    ["name", { name: "Example AG" }],
    ["unit", { unit: "Web" }],
    ["locality", { locality: "Potsdam" }],
    ["state", { state: "Brandenburg" }],
    ["country", { country: "AT" }],
  ] as const)("gives another fingerprint when the organization's %s changes", (_field, change) => {
    // Act
    const changed = organizationFingerprint({ ...organization, ...change }, ev);

    // Assess
    expect(changed).not.toBe(organizationFingerprint(organization, ev));
  });

  it.each([
    ["jurisdictionCountry", { jurisdictionCountry: "AT" }],
    ["jurisdictionState", { jurisdictionState: "Hamburg" }],
    ["jurisdictionLocality", { jurisdictionLocality: "Hamburg" }],
    ["businessCategory", { businessCategory: "Business Entity" }],
    ["registrationNumber", { registrationNumber: "HRB 54321 B" }],
  ] as const)("gives another fingerprint when the EV %s changes", (_field, change) => {
    // Act
    const changed = organizationFingerprint(organization, { ...ev, ...change });

    // Assess
    expect(changed).not.toBe(organizationFingerprint(organization, ev));
  });

  it("tells an OV organization from the same organization with EV details", () => {
    expect(organizationFingerprint(organization)).not.toBe(
      organizationFingerprint(organization, ev),
    );
  });

  it("keeps the fields apart: text moved from one field to the next is another organization", () => {
    // Act
    const moved = organizationFingerprint({ ...organization, name: "Example", unit: "GmbH IT" });

    // Assess
    expect(moved).not.toBe(
      organizationFingerprint({ ...organization, name: "Example GmbH", unit: "IT" }),
    );
  });
});

describe("organizationReusableUntil", () => {
  it("reuses an approval for 398 days", () => {
    // Act
    const until = organizationReusableUntil(new Date("2027-01-10T08:00:00.000Z"));

    // Assess
    expect(ORGANIZATION_REUSE_DAYS).toBe(398);
    expect(until.toISOString()).toBe("2028-02-12T08:00:00.000Z");
  });
});

describe("reviewPending", () => {
  it.each([
    ["no review (DV)", undefined, false],
    ["approved", review({ status: "approved" }), false],
    ["awaiting-document", review({ status: "awaiting-document" }), true],
    ["awaiting-decision", review({ status: "awaiting-decision" }), true],
    ["rejected", review({ status: "rejected", reason: "Wrong name" }), true],
  ] as const)("with %s is %s", (_case, record, pending) => {
    expect(reviewPending(record)).toBe(pending);
  });
});

describe("reviewTurn", () => {
  it("is over once the review is approved, even past its deadline", () => {
    expect(reviewTurn(review({ status: "approved" }), secondsBefore(3600))).toEqual({
      kind: "approved",
    });
    expect(reviewTurn(review({ status: "approved" }), secondsBefore(-3600))).toEqual({
      kind: "approved",
    });
  });

  it.each(["awaiting-document", "awaiting-decision", "rejected"] as const)(
    "while %s before the deadline waits until it, in whole seconds rounded up",
    (status) => {
      expect(reviewTurn(review({ status }), secondsBefore(7 * 86_400))).toEqual({
        kind: "wait",
        waitSeconds: 7 * 86_400,
      });
      expect(reviewTurn(review({ status }), secondsBefore(90.2))).toEqual({
        kind: "wait",
        waitSeconds: 91,
      });
      expect(reviewTurn(review({ status }), secondsBefore(0.001))).toEqual({
        kind: "wait",
        waitSeconds: 1,
      });
    },
  );

  it.each([
    ["at", 0],
    ["after", -60],
  ])("%s the deadline fails a rejected review as ReviewRejected, with the reason", (_when, s) => {
    // Act
    const turn = reviewTurn(
      review({ status: "rejected", reason: "Wrong name." }),
      secondsBefore(s),
    );

    // Assess
    expect(turn).toEqual({
      kind: "failed",
      error: "ReviewRejected",
      cause: `The organization review was rejected (Wrong name.) and not resubmitted before ${DEADLINE}.`,
    });
  });

  it("says no reason was given for a rejection without one", () => {
    expect(reviewTurn(review({ status: "rejected" }), deadline)).toMatchObject({
      error: "ReviewRejected",
      cause: `The organization review was rejected (no reason given) and not resubmitted before ${DEADLINE}.`,
    });
  });

  it.each([
    ["at", 0],
    ["after", -60],
  ])(
    "%s the deadline fails a review still without its letter as ReviewTimedOut naming the letter",
    (_when, s) => {
      expect(reviewTurn(review({ status: "awaiting-document" }), secondsBefore(s))).toEqual({
        kind: "failed",
        error: "ReviewTimedOut",
        cause: `No signed confirmation letter arrived before ${DEADLINE}.`,
      });
    },
  );

  it("at the deadline fails an undecided review as ReviewTimedOut", () => {
    expect(
      reviewTurn(review({ status: "awaiting-decision", awaitingSince: DEADLINE }), deadline),
    ).toEqual({
      kind: "failed",
      error: "ReviewTimedOut",
      cause: `The organization review was not decided before ${DEADLINE}.`,
    });
  });
});

describe("describeReview", () => {
  it.each([
    [
      "awaiting-document",
      review({ status: "awaiting-document" }),
      "Waiting for the signed confirmation letter (POST /v1/orders/{id}/documents).",
    ],
    [
      "awaiting-decision",
      review({ status: "awaiting-decision" }),
      "The letter arrived; waiting for an operator's decision.",
    ],
    ["approved", review({ status: "approved" }), "The organization was approved."],
    [
      "approved for an earlier order",
      review({ status: "approved", reusedFrom: "ord_first1" }),
      "The organization was approved earlier (order ord_first1) and is reused.",
    ],
    [
      "rejected",
      review({ status: "rejected", reason: "The register names Example AG." }),
      "The organization review was rejected: The register names Example AG. Correct it and resubmit (POST /v1/orders/{id}/resubmission).",
    ],
  ] as const)("tells the customer where a review %s stands", (_case, record, line) => {
    expect(describeReview(record)).toBe(line);
  });

  it("ends a rejection's reason typed without a full stop with one, before what to do next", () => {
    expect(describeReview(review({ status: "rejected", reason: "Wrong name" }))).toBe(
      "The organization review was rejected: Wrong name. Correct it and resubmit (POST /v1/orders/{id}/resubmission).",
    );
  });

  it("refuses a status it does not know", () => {
    expect(() => describeReview(review({ status: "lost" as never }))).toThrow(
      "Unknown review status lost",
    );
  });
});
