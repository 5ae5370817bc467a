import { describe, expect, it } from "vitest";
import {
  ariCertId,
  isAriCertId,
  plannedRenewal,
  RENEWAL_INFO_RETRY,
  renewalInfoRetryAfter,
  renewalInfoRetrySeconds,
} from "../../../functions/domain/renewal-information.ts";

const hex = (text: string) => Buffer.from(text.replaceAll(":", ""), "hex");

describe("ariCertId (RFC 9773 §4.1)", () => {
  it("gives the RFC's example CertID", () => {
    const keyIdentifier = hex("69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4");
    const serial = hex("00:87:65:43:21");

    expect(ariCertId(keyIdentifier, serial)).toBe("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
  });

  it("refuses empty parts", () => {
    expect(() => ariCertId(new Uint8Array(), hex("01"))).toThrow(RangeError);
    expect(() => ariCertId(hex("01"), new Uint8Array())).toThrow(RangeError);
  });

  it.each([
    ["aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", true],
    ["aYhba4dGQEHhs3uEe6CuLN4ByNQ=.AIdlQyE=", false],
    ["aYhba4dGQEHhs3uEe6CuLN4ByNQ", false],
    ["../directory.x", false],
    ["a.b/c", false],
  ])("%s has a CertID's shape: %s", (text, expected) => {
    expect(isAriCertId(text)).toBe(expected);
  });
});

describe("renewalInfoRetrySeconds (RFC 9773 §4.3)", () => {
  it.each([
    [undefined, RENEWAL_INFO_RETRY.defaultSeconds],
    [Number.NaN, 21_600],
    [Number.POSITIVE_INFINITY, 21_600],
    [0, 60],
    [-30, 60],
    [59, 60],
    [60, 60],
    [3_600, 3_600],
    [90.2, 91],
    [86_400, 86_400],
    [86_401, 86_400],
    [7 * 86_400, 86_400],
  ])("Retry-After %s s → ask again in %i s", (retryAfter, expected) => {
    expect(renewalInfoRetrySeconds(retryAfter)).toBe(expected);
  });
});

describe("plannedRenewal", () => {
  const notBefore = new Date("2027-01-01T00:00:00Z");
  const notAfter = new Date("2027-04-01T00:00:00Z"); // 90 days
  const twoThirds = "2027-03-02T00:00:00.000Z";
  const now = new Date("2027-01-01T00:05:00Z");
  const certId = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
  const window = {
    start: new Date("2027-03-01T00:00:00Z"),
    end: new Date("2027-03-03T00:00:00Z"),
  };
  const base = { certId, notBefore, notAfter, now, random: () => 0.25 };

  it("draws the renewal inside the CA's window and asks again after its Retry-After", () => {
    const plan = plannedRenewal({
      ...base,
      answer: {
        kind: "window",
        window: { ...window, explanationUrl: "https://ca.example/why", retryAfterSeconds: 7_200 },
      },
    });

    expect(plan).toEqual({
      renewAt: "2027-03-01T12:00:00.000Z",
      renewalWindow: {
        certId,
        start: "2027-03-01T00:00:00.000Z",
        end: "2027-03-03T00:00:00.000Z",
        explanationUrl: "https://ca.example/why",
        nextFetchAt: "2027-01-01T02:05:00.000Z",
      },
    });
  });

  it("asks again in six hours when the CA gave no Retry-After, and at most after a day", () => {
    const without = plannedRenewal({ ...base, answer: { kind: "window", window } });
    const huge = plannedRenewal({
      ...base,
      answer: { kind: "window", window: { ...window, retryAfterSeconds: 30 * 86_400 } },
    });

    expect(without.renewalWindow?.nextFetchAt).toBe("2027-01-01T06:05:00.000Z");
    expect(huge.renewalWindow?.nextFetchAt).toBe("2027-01-02T00:05:00.000Z");
  });

  it("renews now when the window is already past, or the time drawn in it is", () => {
    const past = {
      start: new Date("2026-12-30T00:00:00Z"),
      end: new Date("2026-12-31T00:00:00Z"),
    };
    const started = {
      start: new Date("2027-01-01T00:00:00Z"),
      end: new Date("2027-01-01T01:00:00Z"),
    };

    expect(plannedRenewal({ ...base, answer: { kind: "window", window: past } }).renewAt).toBe(
      now.toISOString(),
    );
    expect(
      plannedRenewal({ ...base, random: () => 0, answer: { kind: "window", window: started } })
        .renewAt,
    ).toBe(now.toISOString());
    expect(
      plannedRenewal({ ...base, random: () => 1, answer: { kind: "window", window: started } })
        .renewAt,
    ).toBe("2027-01-01T01:00:00.000Z");
  });

  it("keeps two thirds of the lifetime and asks again in an hour when the CA could not be asked", () => {
    expect(plannedRenewal({ ...base, answer: { kind: "failed" } })).toEqual({
      renewAt: twoThirds,
      renewalWindow: { certId, nextFetchAt: "2027-01-01T01:05:00.000Z" },
    });
  });

  it("treats a window whose end is not after its start as no answer (RFC 9773 §4.2)", () => {
    const backwards = { start: window.end, end: window.start };
    const invalid = { start: new Date("not a date"), end: window.end };

    for (const broken of [backwards, invalid]) {
      expect(plannedRenewal({ ...base, answer: { kind: "window", window: broken } })).toEqual({
        renewAt: twoThirds,
        renewalWindow: { certId, nextFetchAt: "2027-01-01T01:05:00.000Z" },
      });
    }
  });

  it("records no window for a CA that offers none", () => {
    expect(plannedRenewal({ ...base, answer: { kind: "not-offered" } })).toEqual({
      renewAt: twoThirds,
    });
  });

  describe("asking again later", () => {
    const later = new Date("2027-02-01T00:00:00Z");
    const previous = {
      renewAt: "2027-03-01T12:00:00.000Z",
      renewalWindow: {
        certId,
        start: "2027-03-01T00:00:00.000Z",
        end: "2027-03-03T00:00:00.000Z",
        nextFetchAt: "2027-02-01T00:00:00.000Z",
      },
    };

    it("keeps the time drawn before while the window stays the same", () => {
      const plan = plannedRenewal({
        ...base,
        now: later,
        random: () => 0.9,
        previous,
        answer: { kind: "window", window: { ...window, retryAfterSeconds: 3_600 } },
      });

      expect(plan.renewAt).toBe(previous.renewAt);
      expect(plan.renewalWindow?.nextFetchAt).toBe("2027-02-01T01:00:00.000Z");
    });

    it("draws again when the CA moved the window", () => {
      const moved = {
        start: new Date("2027-02-10T00:00:00Z"),
        end: new Date("2027-02-11T00:00:00Z"),
      };
      const plan = plannedRenewal({
        ...base,
        now: later,
        previous,
        answer: { kind: "window", window: { ...moved, explanationUrl: "https://ca.example/x" } },
      });

      expect(plan.renewAt).toBe("2027-02-10T06:00:00.000Z");
      expect(plan.renewalWindow).toMatchObject({
        start: "2027-02-10T00:00:00.000Z",
        explanationUrl: "https://ca.example/x",
      });
    });

    it("keeps what was recorded when the CA cannot be asked, and asks again in an hour", () => {
      expect(plannedRenewal({ ...base, now: later, previous, answer: { kind: "failed" } })).toEqual(
        {
          renewAt: previous.renewAt,
          renewalWindow: { ...previous.renewalWindow, nextFetchAt: "2027-02-01T01:00:00.000Z" },
        },
      );
    });

    it("drops the window when the CA no longer offers renewal information", () => {
      expect(
        plannedRenewal({ ...base, now: later, previous, answer: { kind: "not-offered" } }),
      ).toEqual({ renewAt: previous.renewAt });
    });
  });
});

describe("renewalInfoRetryAfter (the Retry-After header of a renewal window)", () => {
  const now = new Date("2027-01-01T00:00:00Z");

  it.each([
    ["3600", 3_600],
    [" 120 ", 120],
    ["0", 60],
    ["999999999", 86_400],
    ["Fri, 01 Jan 2027 02:00:00 GMT", 7_200],
    ["Fri, 01 Jan 2027 00:00:30 GMT", 60],
    ["Thu, 31 Dec 2026 00:00:00 GMT", 60],
    ["Sat, 09 Jan 2027 00:00:00 GMT", 86_400],
    [undefined, 21_600],
    ["", 21_600],
    ["soon", 21_600],
    ["1.5", 21_600],
    ["-5", 21_600],
    ["2027-01-01T02:00:00Z", 21_600],
    ["Friday, 01-Jan-27 02:00:00 GMT", 21_600],
  ])("%s → %i s", (header, expected) => {
    expect(renewalInfoRetryAfter(header, now)).toBe(expected);
  });
});
