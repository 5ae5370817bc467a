import { unzipSync } from "fflate";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { CertificateSummary } from "../../../../functions/domain/order-record.ts";
import { exportPrivateKeyPkcs8 } from "../../../../functions/pki/key-pairs.ts";
import { toPem } from "../../../../functions/pki/pem.ts";
import {
  seedIssuedOrder,
  testHierarchy,
  testLeaf,
  WHILE_VALID,
} from "../../../support/issued-order.ts";
import { lineageEntry, stored } from "../../../support/renewal-fixtures.ts";
import { callRoute, routeTestDependencies } from "../../../support/route-calls.ts";

const ORDER = "ord_download1";
const RENEWAL = "ord_downloadrenewal1";
const PATH = `/v1/orders/${ORDER}/certificate`;

interface Issued {
  readonly pem: string;
  readonly keyPem: string;
  readonly keyPkcs8: Uint8Array;
  readonly summary: CertificateSummary;
}

let kit: { chainPem: string; first: Issued; renewed: Issued };
let deps: AllDependencies;

async function issued(issuer: Parameters<typeof testLeaf>[0]): Promise<Issued> {
  const leaf = await testLeaf(issuer, ["shop.example.com"]);
  const keyPkcs8 = await exportPrivateKeyPkcs8(leaf.keys.privateKey);
  return {
    pem: leaf.certificatePem,
    keyPem: toPem(keyPkcs8, "PRIVATE KEY"),
    keyPkcs8,
    summary: {
      serialNumber: leaf.info.serialNumber,
      notBefore: leaf.info.notBefore.toISOString(),
      notAfter: leaf.info.notAfter.toISOString(),
      sha256Fingerprint: leaf.info.sha256Fingerprint,
      renewAt: leaf.info.notAfter.toISOString(),
    },
  };
}

beforeAll(async () => {
  const { intermediate } = await testHierarchy();
  kit = {
    chainPem: intermediate.certificatePem,
    first: await issued(intermediate),
    renewed: await issued(intermediate),
  };
});

/** The order issued with `first`, then renewed by RENEWAL with `renewed` and another key. */
beforeEach(async () => {
  deps = routeTestDependencies(fixedClock(WHILE_VALID));
  await seedIssuedOrder(deps, {
    orderId: ORDER,
    names: ["shop.example.com"],
    certificatePem: kit.first.pem,
    chainPems: [kit.chainPem],
  });
  await deps.vault.putPrivateKey(ORDER, kit.first.keyPkcs8);
});

async function renewed(): Promise<void> {
  await deps.vault.putCertificate(RENEWAL, kit.renewed.pem, [kit.chainPem]);
  await deps.vault.putPrivateKey(RENEWAL, kit.renewed.keyPkcs8);
  await deps.store.update(await stored(deps.store, ORDER), {
    certificate: kit.renewed.summary,
    certificates: [
      lineageEntry(kit.renewed.summary, RENEWAL, kit.first.summary.serialNumber),
      lineageEntry(kit.first.summary, ORDER),
    ],
  });
}

const text = (body: string) => Buffer.from(body, "base64").toString("utf8");

function keyInZip(body: string): string | undefined {
  const files = unzipSync(Buffer.from(body, "base64"));
  const key = Object.entries(files).find(([name]) => name.endsWith(".key"));
  return key === undefined ? undefined : Buffer.from(key[1]).toString("utf8");
}

describe("GET /v1/orders/{id}/certificate of a renewed order", () => {
  it("serves the order's own certificate before any renewal", async () => {
    // Act
    const answer = await callRoute(deps, "GET", `${PATH}?format=pem`);

    // Assess
    expect(answer.status).toBe(200);
    expect(text(answer.result.body)).toBe(kit.first.pem + kit.chainPem);
  });

  it("serves the current certificate, held by the renewal that issued it, with its key", async () => {
    // Prepare
    await renewed();

    // Act
    const pem = await callRoute(deps, "GET", `${PATH}?format=pem`);
    const nginx = await callRoute(deps, "GET", `${PATH}?format=nginx`);

    // Assess
    expect(text(pem.result.body)).toBe(kit.renewed.pem + kit.chainPem);
    expect(nginx.status).toBe(200);
    expect(keyInZip(nginx.result.body)).toBe(kit.renewed.keyPem);
  });

  it("serves an earlier certificate by ?serial=, read with its key from the order that holds it", async () => {
    // Prepare
    await renewed();
    const serial = kit.first.summary.serialNumber;

    // Act
    const pem = await callRoute(deps, "GET", `${PATH}?format=pem&serial=${serial}`);
    const nginx = await callRoute(deps, "GET", `${PATH}?format=nginx&serial=${serial}`);

    // Assess
    expect(pem.status).toBe(200);
    expect(text(pem.result.body)).toBe(kit.first.pem + kit.chainPem);
    expect(keyInZip(nginx.result.body)).toBe(kit.first.keyPem);
  });

  it("takes the serial in upper case too", async () => {
    // Prepare
    await renewed();
    const serial = kit.first.summary.serialNumber.toUpperCase();

    // Act
    const answer = await callRoute(deps, "GET", `${PATH}?format=pem&serial=${serial}`);

    // Assess
    expect(answer.status).toBe(200);
    expect(text(answer.result.body)).toBe(kit.first.pem + kit.chainPem);
  });

  it("serves the current certificate by its own serial", async () => {
    // Prepare
    await renewed();

    // Act
    const answer = await callRoute(
      deps,
      "GET",
      `${PATH}?format=pem&serial=${kit.renewed.summary.serialNumber}`,
    );

    // Assess
    expect(text(answer.result.body)).toBe(kit.renewed.pem + kit.chainPem);
  });

  it("answers 404 for a serial that is none of the order's certificates", async () => {
    // Prepare
    await renewed();

    // Act
    const answer = await callRoute(deps, "GET", `${PATH}?format=pem&serial=0badc0de`);

    // Assess
    expect(answer.status).toBe(404);
    expect(answer.json.error.code).toBe("NOT_FOUND");
    expect(answer.json.error.message).toContain(kit.renewed.summary.serialNumber);
  });

  it("answers 404 to another tenant asking for an earlier certificate", async () => {
    // Prepare
    await renewed();

    // Act
    const answer = await callRoute(
      deps,
      "GET",
      `${PATH}?format=pem&serial=${kit.first.summary.serialNumber}`,
      { tenant: "tenant-b" },
    );

    // Assess
    expect(answer.status).toBe(404);
  });
});
