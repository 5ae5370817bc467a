import { describe, expect, it } from "vitest";
import {
  checkLines,
  duration,
  endText,
  listLines,
  progressText,
  publishBlock,
  publishLines,
  statusLines,
  when,
} from "../../../functions/cli/order-format.ts";
import { ISSUED_CERTIFICATE, orderView } from "./fake-service.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");

describe("order output", () => {
  it.each([
    [0, "0 s"],
    [59.4, "59 s"],
    [60, "1 min"],
    [3599, "59 min"],
    [3600, "1 h"],
    [3 * 3600 + 5 * 60, "3 h 5 min"],
    [48 * 3600, "2 d"],
    [52 * 3600, "2 d 4 h"],
    [-5, "0 s"],
  ])("duration(%s) is %s", (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });

  it("shows times in UTC to the minute", () => {
    expect(when("2026-03-01T12:34:56.000Z")).toBe("2026-03-01 12:34 UTC");
    expect(when(undefined)).toBe("-");
  });

  it("shows each method's record, file or approver exactly, each value on a line of its own", () => {
    const [txt] = orderView().validations;
    expect(publishLines(txt as never)).toEqual([
      "shop.example.com: DNS TXT record",
      "  name:  _certflow-challenge.shop.example.com",
      "  type:  TXT",
      "  value: certflow-one",
    ]);
    expect(
      publishLines({
        domain: "shop.example.com",
        method: "dns-cname",
        status: "pending",
        instructions: {
          method: "dns-cname",
          recordType: "CNAME",
          host: "_acme-challenge.shop.example.com",
          value: "abc.dcv.certflow.internal",
        },
      } as never),
    ).toContain("  value: abc.dcv.certflow.internal");
    expect(
      publishLines({
        domain: "shop.example.com",
        method: "http-file",
        status: "pending",
        instructions: {
          method: "http-file",
          url: "http://shop.example.com/.well-known/pki-validation/A.txt",
          content: "certflow-xyz",
        },
      } as never),
    ).toEqual([
      "shop.example.com: HTTP file",
      "  URL:     http://shop.example.com/.well-known/pki-validation/A.txt",
      "  content: certflow-xyz",
    ]);
    expect(
      publishLines({
        domain: "shop.example.com",
        method: "email",
        status: "pending",
        instructions: { method: "email", approver: "admin@example.com" },
      } as never)[1],
    ).toContain("admin@example.com");
  });

  it("lists only the names still open, with the deadline", () => {
    const order = orderView();
    const [first, second] = order.validations;
    const block = publishBlock({
      ...order,
      validations: [{ ...(first as object), status: "valid" } as never, second as never],
    });
    expect(block[0]).toBe("Publish this by 2026-03-02 12:00 UTC:");
    expect(block.join("\n")).not.toContain("certflow-one");
    expect(block.join("\n")).toContain("certflow-two");
  });

  it("progress: countdowns only when the line is rewritten in place, names last", () => {
    const order = orderView({
      validations: orderView().validations.map((validation, index) => ({
        ...validation,
        status: index === 0 ? "valid" : "pending",
        lastCheck: { at: "2026-03-01T12:00:00Z", ok: false, cause: "NO_RECORD", detail: "…" },
      })),
    });
    const state = { nextCheckAt: NOW + 20_000, now: NOW };
    expect(progressText(order, state, true)).toBe(
      "PENDING_VALIDATION · 1/2 validated · next check in 20 s · deadline in 24 h · www.shop.example.com: NO_RECORD",
    );
    expect(progressText(order, state, false)).toBe(
      "PENDING_VALIDATION · 1/2 validated · www.shop.example.com: NO_RECORD",
    );
    expect(progressText(orderView({ status: "SUBMITTED" }), state, true)).toBe(
      "SUBMITTED · placing the order with the CA",
    );
    expect(
      progressText(
        orderView({ status: "ISSUED", certificate: ISSUED_CERTIFICATE }),
        { now: NOW },
        false,
      ),
    ).toBe("ISSUED · serial 5f1c, valid until 2026-05-30 12:00 UTC");
    expect(
      progressText(
        orderView({
          status: "FAILED",
          failure: { code: "VALIDATION_TIMED_OUT", message: "Nothing was published." },
        }),
        { now: NOW },
        false,
      ),
    ).toBe("FAILED · VALIDATION_TIMED_OUT: Nothing was published.");
  });

  it("says why an order ended without a certificate", () => {
    expect(
      endText(
        orderView({
          status: "FAILED",
          failure: { code: "CAA_FORBIDS", message: "CAA at example.com forbids it." },
        }),
      ),
    ).toBe("order ord_1 is FAILED: CAA_FORBIDS: CAA at example.com forbids it.");
    expect(endText(orderView({ status: "CANCELLED" }))).toBe("order ord_1 is CANCELLED");
  });

  it("status: the order, each name's last check, and what to publish while it waits", () => {
    const order = orderView({
      validations: orderView().validations.map((validation) => ({
        ...validation,
        lastCheck: {
          at: "2026-03-01T12:05:00Z",
          ok: false,
          cause: "WRONG_VALUE",
          detail: "Found 'old', expected 'certflow-one'.",
        },
      })),
    });
    const lines = statusLines(order, NOW);
    expect(lines[0]).toBe("Order ord_1: PENDING_VALIDATION");
    expect(lines).toContain("  names:       shop.example.com, www.shop.example.com");
    expect(lines).toContain("  deadline:    2026-03-02 12:00 UTC (in 24 h)");
    expect(lines).toContain(
      "    last check 2026-03-01 12:05 UTC: WRONG_VALUE: Found 'old', expected 'certflow-one'.",
    );
    expect(lines).toContain("Publish this by 2026-03-02 12:00 UTC:");
    const issued = statusLines(
      orderView({
        status: "ISSUED",
        certificate: ISSUED_CERTIFICATE,
        renewal: { auto: true, nextAt: "2026-04-30T12:00:00.000Z" } as never,
      }),
      NOW,
    );
    expect(issued).toContain(
      "  certificate: serial 5f1c, valid 2026-03-01 12:00 UTC to 2026-05-30 12:00 UTC",
    );
    expect(issued).toContain("  renewal:     automatic, next 2026-04-30 12:00 UTC");
    expect(issued.join("\n")).not.toContain("Publish this");
  });

  it("check: each name's finding, with the name servers and CAA", () => {
    expect(
      checkLines({
        id: "ord_1",
        allPublished: false,
        resumed: false,
        results: [
          { domain: "shop.example.com", ok: true },
          {
            domain: "www.shop.example.com",
            ok: false,
            cause: "NOT_PROPAGATED",
            detail: "Published on ns1, not yet on ns2.",
            servers: [
              { name: "ns1.example.com", address: "192.0.2.1", found: true, answered: true },
              { name: "ns2.example.com", address: "192.0.2.2", found: false, answered: true },
            ],
            caa: { ok: false, cause: "DNS_SERVFAIL", detail: "No CAA answer." },
          },
        ],
      }),
    ).toEqual([
      "Not everything is published yet:",
      "  shop.example.com: published",
      "  www.shop.example.com: NOT_PROPAGATED",
      "    Published on ns1, not yet on ns2.",
      "    ns1.example.com (192.0.2.1): has it",
      "    ns2.example.com (192.0.2.2): not yet",
      "    CAA: DNS_SERVFAIL: No CAA answer.",
    ]);
    expect(checkLines({ id: "ord_1", allPublished: true, resumed: true, results: [] })[0]).toBe(
      "Everything is published; the order goes on now.",
    );
  });

  it("list: one line per order in columns", () => {
    expect(listLines([])).toEqual(["No orders."]);
    expect(
      listLines([
        orderView({ status: "ISSUED", certificate: ISSUED_CERTIFICATE }),
        orderView({ id: "ord_22", domains: ["a.example.com"] }),
      ]),
    ).toEqual([
      "ID      STATUS              CREATED               VALID UNTIL           NAMES",
      "ord_1   ISSUED              2026-03-01 12:00 UTC  2026-05-30 12:00 UTC  shop.example.com, www.shop.example.com",
      "ord_22  PENDING_VALIDATION  2026-03-01 12:00 UTC  -                     a.example.com",
    ]);
  });
});
