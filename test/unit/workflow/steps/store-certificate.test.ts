import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { embeddedCaDirectory } from "../../../../functions/adapters/embedded-ca/embedded-ca-directory.ts";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { ariCertIdOf } from "../../../../functions/pki/ari-cert-id.ts";
import type { CaDirectory, RenewalWindow } from "../../../../functions/ports/ca-directory.ts";
import {
  CaUnavailable,
  type CertificateAuthority,
} from "../../../../functions/ports/certificate-authority.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";
import { hierarchy, leafFor } from "../../pki/ca-fixtures.ts";

// StoreCertificate asks the CA for the new certificate's renewal window (RFC 9773) and plans
// the renewal by it; whatever the CA answers, the certificate is stored.

const ORDER_ID = "ord_storeari";
const NAMES = ["shop.example.com"];
// The fixtures' certificates run from 2026-01-01 to 2027-01-01: two thirds is 2026-09-01T08:00.
const TWO_THIRDS = "2026-09-01T08:00:00.000Z";
const NOW = new Date("2026-01-01T00:10:00Z");

let certificatePem: string;
let chainPems: string[];

beforeAll(async () => {
  const { intermediate } = await hierarchy();
  certificatePem = (await leafFor(intermediate, NAMES)).certificatePem;
  chainPems = [intermediate.certificatePem];
});

async function issuingOrder(caDirectory: CaDirectory, random = () => 0.5) {
  const clock = fixedClock(NOW);
  const store = createMemoryOrderStore(clock);
  await store.create(
    sampleOrder({ orderId: ORDER_ID, status: "ISSUING", caOrderRef: "https://ca.example/o/1" }),
    sampleEvent(clock.now(), "Order received."),
  );
  const ca = {
    kind: "acme",
    audience: "public",
    certificateProgress: async () => ({ state: "issued", certificatePem, chainPems }),
  } as Pick<CertificateAuthority, "kind" | "audience" | "certificateProgress">;
  const errors: unknown[] = [];
  const deps = {
    clock,
    store,
    ca,
    caDirectory,
    random,
    vault: new CertificateVault(createMemoryBlobStore(), derivedKeyPassphrases(randomBytes(32))),
    logError: (error: unknown) => errors.push(error),
  } as unknown as StepDependencies;
  await runDeclaredStep(deps, "StoreCertificate", { orderId: ORDER_ID });
  const order = await store.get(ORDER_ID);
  const history = await store.history(ORDER_ID);
  const stored = history.find((event) => event.message.startsWith("Certificate "));
  return { order, errors, storedEvent: stored?.message ?? "" };
}

/** A directory that answers every certificate with `answer` (or throws it). */
function directoryAnswering(answer: RenewalWindow | undefined | Error): CaDirectory & {
  asked: string[];
} {
  const asked: string[] = [];
  return {
    asked,
    profiles: async () => ({}),
    async renewalWindow(certId) {
      asked.push(certId);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

describe("StoreCertificate and the CA's renewal window", () => {
  it("records the window the CA suggests and plans the renewal inside it", async () => {
    const directory = directoryAnswering({
      start: new Date("2026-10-01T00:00:00Z"),
      end: new Date("2026-10-03T00:00:00Z"),
      explanationUrl: "https://ca.example/why",
      retryAfterSeconds: 7_200,
    });

    const { order, storedEvent } = await issuingOrder(directory, () => 0.75);

    const certId = ariCertIdOf(certificatePem);
    expect(directory.asked).toEqual([certId]);
    expect(order?.certificate).toMatchObject({
      renewAt: "2026-10-02T12:00:00.000Z",
      renewalWindow: {
        certId,
        start: "2026-10-01T00:00:00.000Z",
        end: "2026-10-03T00:00:00.000Z",
        explanationUrl: "https://ca.example/why",
        nextFetchAt: "2026-01-01T02:10:00.000Z",
      },
    });
    expect(storedEvent).toContain(
      "The CA suggests renewing between 2026-10-01T00:00:00.000Z and 2026-10-03T00:00:00.000Z (https://ca.example/why): renewal planned for 2026-10-02T12:00:00.000Z.",
    );
  });

  it("renews at once when the window the CA suggests is already over", async () => {
    const directory = directoryAnswering({
      start: new Date("2025-12-30T00:00:00Z"),
      end: new Date("2025-12-31T00:00:00Z"),
    });

    const { order } = await issuingOrder(directory);

    expect(order?.certificate?.renewAt).toBe(NOW.toISOString());
  });

  it("stores the certificate when the CA cannot be asked, keeps two thirds, and asks again in an hour", async () => {
    const directory = directoryAnswering(new CaUnavailable("the CA answered HTTP 503"));

    const { order, errors, storedEvent } = await issuingOrder(directory);

    expect(order?.certificate).toMatchObject({
      renewAt: TWO_THIRDS,
      renewalWindow: {
        certId: ariCertIdOf(certificatePem),
        nextFetchAt: "2026-01-01T01:10:00.000Z",
      },
    });
    expect(order?.certificate?.renewalWindow).not.toHaveProperty("start");
    expect(errors).toEqual([]);
    expect(storedEvent).toContain("could not be read (the CA answered HTTP 503)");
  });

  it("reports an unexpected failure to operators, and still stores the certificate", async () => {
    const directory = directoryAnswering(new TypeError("a bug"));

    const { order, errors } = await issuingOrder(directory);

    expect(order?.certificate?.renewAt).toBe(TWO_THIRDS);
    expect(errors).toHaveLength(1);
  });

  it("records no window for a CA that offers none (the embedded CA)", async () => {
    const { order, storedEvent } = await issuingOrder(embeddedCaDirectory);

    expect(order?.certificate?.renewAt).toBe(TWO_THIRDS);
    expect(order?.certificate).not.toHaveProperty("renewalWindow");
    expect(storedEvent).not.toContain("renew");
  });
});
