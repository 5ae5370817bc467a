import { beforeEach, describe, expect, it } from "vitest";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import { createMemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderStatusName } from "../../../../functions/domain/order-record.ts";
import {
  CaRejected,
  CaUnavailable,
  type CertificateAuthority,
  caProfileOf,
  type RevocationRequest,
} from "../../../../functions/ports/certificate-authority.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { callRoute } from "../../../support/route-calls.ts";

const CERTIFICATE_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

let deps: AllDependencies;
let revocations: RevocationRequest[];
let caFailure: Error | undefined;

function caRecordingRevocations(): CertificateAuthority {
  const unused = () => Promise.reject(new Error("not used by the revocation route"));
  return {
    kind: "acme",
    audience: "public",
    placeOrder: unused,
    changeMethod: unused,
    requestValidation: unused,
    validationProgress: unused,
    finalize: unused,
    certificateProgress: unused,
    caaIdentity: unused,
    async revoke(request) {
      if (caFailure !== undefined) throw caFailure;
      revocations.push(request);
    },
    rootCertificatePem: async () => undefined,
    abandon: unused,
  };
}

beforeEach(() => {
  const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  const vault = new CertificateVault(
    createMemoryBlobStore(),
    derivedKeyPassphrases(new Uint8Array(32)),
  );
  revocations = [];
  caFailure = undefined;
  deps = {
    clock,
    store: createMemoryOrderStore(clock),
    vault,
    workflow: {
      startExecution: async () => undefined,
      sendTaskSuccess: async () => undefined,
      sendTaskFailure: async () => undefined,
      stopExecution: async () => undefined,
      describeExecution: async () => undefined,
    },
    dcv: { check: async () => ({ ok: true as const }) },
    ca: caRecordingRevocations(),
    caProfile: caProfileOf("acme"),
    mailer: createMemoryMailer(),
    settings: DEFAULT_WORKFLOW_SETTINGS,
    newOrderId: () => "ord_revoke1",
    serviceInfo: {},
    logError: () => undefined,
  };
});

async function call(method: string, path: string, body?: unknown, tenant = "tenant-a") {
  const answer = await callRoute(deps, method, path, {
    tenant,
    ...(typeof body === "string" ? { rawBody: body } : { body }),
  });
  return { status: answer.status, json: answer.json };
}

async function orderIn(status: OrderStatusName, path: readonly OrderStatusName[]) {
  await call("POST", "/v1/orders", {
    domains: ["shop.example.com"],
    validation: { method: "dns-txt" },
    contact: { name: "Ada", email: "ada@example.com" },
  });
  for (const next of path) {
    const current = await deps.store.get("ord_revoke1");
    if (current === undefined) throw new Error("order missing");
    await deps.store.update(current, { status: next });
  }
  expect((await deps.store.get("ord_revoke1"))?.status).toBe(status);
}

const TO_ISSUED: readonly OrderStatusName[] = ["PENDING_VALIDATION", "ISSUING", "ISSUED"];

describe("POST /v1/orders/{id}/revocation", () => {
  it("has the CA revoke the stored certificate, then records REVOKED with the reason", async () => {
    await orderIn("ISSUED", TO_ISSUED);
    await deps.vault.putCertificate("ord_revoke1", CERTIFICATE_PEM, []);

    const response = await call("POST", "/v1/orders/ord_revoke1/revocation", {
      reason: "keyCompromise",
    });

    expect(response.status).toBe(200);
    expect(response.json.status).toBe("REVOKED");
    expect(revocations).toEqual([
      { tenantId: "tenant-a", certificatePem: CERTIFICATE_PEM, reason: "keyCompromise" },
    ]);
    const history = await deps.store.history("ord_revoke1");
    expect(history.at(-1)?.message).toMatch(/private key was compromised \(keyCompromise\)/);
    expect(
      (await call("POST", "/v1/orders/ord_revoke1/revocation", { reason: "superseded" })).json,
    ).toMatchObject({ error: { code: "NOT_REVOCABLE" } });
    expect(revocations).toHaveLength(1);
  });

  it("refuses an order that is not issued, without asking the CA", async () => {
    await orderIn("PENDING_VALIDATION", ["PENDING_VALIDATION"]);
    const response = await call("POST", "/v1/orders/ord_revoke1/revocation", {
      reason: "superseded",
    });
    expect(response.status).toBe(409);
    expect(response.json.error.message).toMatch(/is PENDING_VALIDATION: only an issued/);
    expect(revocations).toEqual([]);
  });

  it.each([
    ["an unknown reason", { reason: "stolen" }],
    ["a reason only a CA may give", { reason: "privilegeWithdrawn" }],
    ["extra fields", { reason: "superseded", note: "x" }],
    ["no body", "not json"],
  ])("answers 400 for %s and leaves the order issued", async (_label, body) => {
    await orderIn("ISSUED", TO_ISSUED);
    await deps.vault.putCertificate("ord_revoke1", CERTIFICATE_PEM, []);
    const response = await call("POST", "/v1/orders/ord_revoke1/revocation", body);
    expect(response.status).toBe(400);
    expect((await deps.store.get("ord_revoke1"))?.status).toBe("ISSUED");
    expect(revocations).toEqual([]);
  });

  it("hides another tenant's order behind 404", async () => {
    await orderIn("ISSUED", TO_ISSUED);
    await deps.vault.putCertificate("ord_revoke1", CERTIFICATE_PEM, []);
    const response = await call(
      "POST",
      "/v1/orders/ord_revoke1/revocation",
      { reason: "superseded" },
      "tenant-b",
    );
    expect(response.status).toBe(404);
    expect(revocations).toEqual([]);
  });

  it.each([
    [new CaUnavailable("connect ECONNREFUSED"), 503, "CA_UNAVAILABLE"],
    [
      new CaRejected("urn:ietf:params:acme:error:unauthorized: not your certificate"),
      422,
      "CA_REJECTED",
    ],
  ])("keeps the order ISSUED when the CA fails (%s)", async (failure, status, code) => {
    await orderIn("ISSUED", TO_ISSUED);
    await deps.vault.putCertificate("ord_revoke1", CERTIFICATE_PEM, []);
    caFailure = failure;
    const response = await call("POST", "/v1/orders/ord_revoke1/revocation", {
      reason: "superseded",
    });
    expect(response.status).toBe(status);
    expect(response.json.error.code).toBe(code);
    expect((await deps.store.get("ord_revoke1"))?.status).toBe("ISSUED");
  });
});

describe("POST /v1/orders/{id}/revocation after a renewal", () => {
  const RENEWED_PEM = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n";
  const FIRST = {
    serialNumber: "0a01",
    notBefore: "2026-10-01T00:00:00.000Z",
    notAfter: "2027-04-01T00:00:00.000Z",
    sha256Fingerprint: "AA",
  };
  const SECOND = {
    serialNumber: "0b02",
    notBefore: "2027-01-01T00:00:00.000Z",
    notAfter: "2027-07-01T00:00:00.000Z",
    sha256Fingerprint: "BB",
  };

  async function renewedOrder() {
    await orderIn("ISSUED", TO_ISSUED);
    const order = await deps.store.get("ord_revoke1");
    if (order === undefined) throw new Error("order missing");
    await deps.store.update(order, {
      certificate: { ...SECOND, renewAt: "2027-05-01T00:00:00.000Z" },
      certificates: [
        { ...SECOND, heldBy: "ord_renewal1", replaces: FIRST.serialNumber },
        { ...FIRST, heldBy: "ord_revoke1" },
      ],
    });
    await deps.vault.putCertificate("ord_revoke1", CERTIFICATE_PEM, []);
    await deps.vault.putCertificate("ord_renewal1", RENEWED_PEM, []);
  }

  it("revokes the current certificate where the renewal holds it, and mails the customer", async () => {
    await renewedOrder();

    const response = await call("POST", "/v1/orders/ord_revoke1/revocation", {
      reason: "keyCompromise",
    });

    expect(response.status).toBe(200);
    expect(response.json.status).toBe("REVOKED");
    expect(revocations.map((revocation) => revocation.certificatePem)).toEqual([RENEWED_PEM]);
    const mails = (deps.mailer as ReturnType<typeof createMemoryMailer>).sent;
    expect(mails.map((mail) => mail.subject)).toEqual(["Certificate revoked: shop.example.com"]);
    expect(mails[0]?.text).toContain("The certificate 0b02");
    expect(mails[0]?.text).toContain("place a new order");
  });

  it("revokes a superseded certificate by serial, the order staying ISSUED, once", async () => {
    await renewedOrder();

    const response = await call("POST", "/v1/orders/ord_revoke1/revocation", {
      reason: "superseded",
      serial: "0A:01",
    });
    const again = await call("POST", "/v1/orders/ord_revoke1/revocation", {
      reason: "superseded",
      serial: "0a01",
    });

    expect(response.status).toBe(200);
    expect(response.json.status).toBe("ISSUED");
    expect(revocations).toEqual([
      { tenantId: "tenant-a", certificatePem: CERTIFICATE_PEM, reason: "superseded" },
    ]);
    expect(response.json.certificates[1]).toMatchObject({
      serialNumber: "0a01",
      revokedAt: "2027-01-10T08:00:00.000Z",
      revocationReason: "superseded",
    });
    expect(response.json.certificates[0].revokedAt).toBeUndefined();
    expect(again.status).toBe(200);
    const history = await deps.store.history("ord_revoke1");
    expect(history.at(-1)).toMatchObject({
      type: "revocation",
      by: { role: "customer", tenantId: "tenant-a" },
    });
    expect(history.at(-1)?.message).toContain("Earlier certificate 0a01 revoked");
    const mails = (deps.mailer as ReturnType<typeof createMemoryMailer>).sent;
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain("current certificate (0b02) is not affected");
  });

  it("answers 404 CERTIFICATE_NOT_FOUND for a serial the order never had, naming its serials", async () => {
    await renewedOrder();

    const response = await call("POST", "/v1/orders/ord_revoke1/revocation", {
      reason: "superseded",
      serial: "0c03",
    });

    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe("CERTIFICATE_NOT_FOUND");
    expect(response.json.error.message).toContain("0b02, 0a01");
    expect(revocations).toEqual([]);
  });
});

describe("POST /v1/orders/{id}/revocation while a renewal runs", () => {
  it("cancels the renewal, stops its execution and no longer waits for it", async () => {
    const stopped: string[] = [];
    deps = {
      ...deps,
      workflow: {
        ...deps.workflow,
        stopExecution: async (name: string) => {
          stopped.push(name);
        },
      },
    };
    await orderIn("ISSUED", TO_ISSUED);
    await deps.vault.putCertificate("ord_revoke1", CERTIFICATE_PEM, []);
    const order = await deps.store.get("ord_revoke1");
    if (order === undefined) throw new Error("order missing");
    await deps.store.update(order, {
      renewal: {
        attempts: 1,
        inFlight: {
          orderId: "ord_renewing1",
          startedAt: "2027-01-10T07:00:00.000Z",
          trigger: "scheduled",
          rekey: false,
        },
      },
    });
    await deps.store.create(
      {
        ...order,
        orderId: "ord_renewing1",
        status: "PENDING_VALIDATION",
        version: 0,
        renewalOf: "ord_revoke1",
        executionName: "ord_renewing1-1",
      },
      { at: "2027-01-10T07:00:00.000Z", type: "status", status: "SUBMITTED", message: "Renewal." },
    );

    const response = await call("POST", "/v1/orders/ord_revoke1/revocation", {
      reason: "keyCompromise",
    });

    expect(response.status).toBe(200);
    expect(response.json.status).toBe("REVOKED");
    expect((await deps.store.get("ord_renewing1"))?.status).toBe("CANCELLED");
    expect(stopped).toEqual(["ord_renewing1-1"]);
    expect((await deps.store.get("ord_revoke1"))?.renewal?.inFlight).toBeUndefined();
    const history = await deps.store.history("ord_revoke1");
    expect(history.at(-1)?.message).toContain("Renewal ord_renewing1 cancelled");
  });
});
