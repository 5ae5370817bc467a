import { beforeEach, describe, expect, it } from "vitest";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { renewalOrderId } from "../../../../functions/orders/renewals.ts";
import { pendingValidation } from "../../../support/order-store-contract.ts";
import {
  FIRST_CERTIFICATE,
  issuedRecord,
  lineageEntry,
  RENEWAL_NOW,
  RENEWED_CERTIFICATE,
  seed,
  stored,
} from "../../../support/renewal-fixtures.ts";
import { callRoute, routeTestDependencies } from "../../../support/route-calls.ts";

const ORDER = "ord_shown";
const PATH = `/v1/orders/${ORDER}`;
const RENEWAL = renewalOrderId(ORDER, FIRST_CERTIFICATE.serialNumber, 0);

let deps: AllDependencies;

beforeEach(() => {
  deps = routeTestDependencies(fixedClock(RENEWAL_NOW));
});

describe("GET /v1/orders/{id} of an order that renews", () => {
  it("shows automatic renewal and when it is next due, with no renewal running", async () => {
    // Prepare
    await seed(deps.store, issuedRecord(ORDER));

    // Act
    const answer = await callRoute(deps, "GET", PATH);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json.renewal).toEqual({ auto: true, nextAt: FIRST_CERTIFICATE.renewAt });
    expect(answer.json.certificates).toEqual([
      {
        serialNumber: "0a01",
        notBefore: FIRST_CERTIFICATE.notBefore,
        notAfter: FIRST_CERTIFICATE.notAfter,
        sha256Fingerprint: "AA:01",
      },
    ]);
  });

  it("shows the running renewal's own status and validations while it runs", async () => {
    // Prepare
    await seed(deps.store, issuedRecord(ORDER));
    await callRoute(deps, "POST", `${PATH}/renewals`, { body: {} });
    const renewal = await stored(deps.store, RENEWAL);
    await deps.store.update(renewal, {
      status: "PENDING_VALIDATION",
      validationDeadline: "2027-05-02T00:00:00.000Z",
      validations: [pendingValidation("shop.example.com")],
    });

    // Act
    const answer = await callRoute(deps, "GET", PATH);

    // Assess
    expect(answer.json.status).toBe("ISSUED");
    expect(answer.json.certificate.serialNumber).toBe("0a01");
    expect(answer.json.renewal.status).toEqual({
      orderId: RENEWAL,
      trigger: "manual",
      rekey: false,
      startedAt: RENEWAL_NOW.toISOString(),
      status: "PENDING_VALIDATION",
      validationDeadline: "2027-05-02T00:00:00.000Z",
      validations: [
        {
          domain: "shop.example.com",
          method: "dns-txt",
          status: "pending",
          instructions: pendingValidation("shop.example.com").instructions,
        },
      ],
    });
  });

  it("lists the certificates current first, with what each replaced and without where it is held", async () => {
    // Prepare
    await seed(
      deps.store,
      issuedRecord(ORDER, {
        certificate: RENEWED_CERTIFICATE,
        certificates: [
          lineageEntry(RENEWED_CERTIFICATE, RENEWAL, "0a01"),
          lineageEntry(FIRST_CERTIFICATE, ORDER),
        ],
        renewal: {
          attempts: 0,
          lastFailure: { at: "2027-04-26T00:00:00.000Z", code: "INTERNAL", message: "x" },
        },
      }),
    );

    // Act
    const answer = await callRoute(deps, "GET", PATH);

    // Assess
    expect(
      answer.json.certificates.map((entry: { serialNumber: string }) => entry.serialNumber),
    ).toEqual(["0b02", "0a01"]);
    expect(answer.json.certificates[0]).toEqual({
      serialNumber: "0b02",
      notBefore: RENEWED_CERTIFICATE.notBefore,
      notAfter: RENEWED_CERTIFICATE.notAfter,
      sha256Fingerprint: "BB:02",
      replaces: "0a01",
    });
    expect(JSON.stringify(answer.json)).not.toContain("heldBy");
    expect(answer.json.renewal).toEqual({
      auto: true,
      nextAt: RENEWED_CERTIFICATE.renewAt,
      lastFailure: { at: "2027-04-26T00:00:00.000Z", code: "INTERNAL", message: "x" },
    });
  });

  it("shows a renewal order as the renewal of its order, with no renewal of its own", async () => {
    // Prepare
    await seed(deps.store, issuedRecord("ord_itsrenewal", { renewalOf: ORDER }));

    // Act
    const answer = await callRoute(deps, "GET", "/v1/orders/ord_itsrenewal");

    // Assess
    expect(answer.json.renewalOf).toBe(ORDER);
    expect(answer.json.renewal).toBeUndefined();
  });

  it("answers 404 to another tenant", async () => {
    // Prepare
    await seed(deps.store, issuedRecord(ORDER));

    // Act
    const answer = await callRoute(deps, "GET", PATH, { tenant: "tenant-b" });

    // Assess
    expect(answer.status).toBe(404);
  });
});
