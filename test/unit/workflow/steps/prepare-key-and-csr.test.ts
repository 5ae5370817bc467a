import { describe, expect, it } from "vitest";
import type { OrderRecord } from "../../../../functions/domain/order-record.ts";
import { exportPrivateKeyPkcs8, generateKeyPair } from "../../../../functions/pki/key-pairs.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import { sampleOrder } from "../../../support/order-store-contract.ts";
import {
  FIRST_CERTIFICATE,
  issuedRecord,
  lineageEntry,
  RENEWED_CERTIFICATE,
  renewalWorld,
  seed,
} from "../../../support/renewal-fixtures.ts";

const ORDER = "ord_renewed1";
const RENEWAL = "ord_renewal1";
const CSR = "-----BEGIN CERTIFICATE REQUEST-----\nORDER\n-----END CERTIFICATE REQUEST-----\n";

async function newKey(): Promise<Uint8Array> {
  return exportPrivateKeyPkcs8((await generateKeyPair("EC-P256")).privateKey);
}

/** The renewed order (with `order` changes) and its renewal, SUBMITTED, as startRenewal wrote it. */
async function renewalOf(order: Partial<OrderRecord> = {}, renewal: Partial<OrderRecord> = {}) {
  const world = renewalWorld();
  await seed(world.store, issuedRecord(ORDER, order));
  await seed(
    world.store,
    sampleOrder({ orderId: RENEWAL, renewalOf: ORDER, rekey: false, ...renewal }),
  );
  const deps = {
    ...world.deps,
    logError: () => undefined,
  } as unknown as StepDependencies;
  return {
    ...world,
    prepare: () => runDeclaredStep(deps, "PrepareKeyAndCsr", { orderId: RENEWAL }),
  };
}

describe("PrepareKeyAndCsr of a renewal", () => {
  it("copies the renewed order's key and CSR for a renewal with the same key", async () => {
    // Prepare
    const world = await renewalOf();
    const key = await newKey();
    await world.vault.putPrivateKey(ORDER, key);
    await world.vault.putCsr(ORDER, CSR);

    // Act
    await world.prepare();

    // Assess
    expect(await world.vault.getPrivateKey(RENEWAL)).toEqual(key);
    expect(await world.vault.getCsr(RENEWAL)).toBe(CSR);
    expect((await world.store.history(RENEWAL)).at(-1)).toMatchObject({
      type: "csr",
      message: `The key and CSR of order ${ORDER} are used again.`,
    });
  });

  it("keeps the CSR startRenewal copied, and adds the key", async () => {
    // Prepare
    const world = await renewalOf();
    const key = await newKey();
    await world.vault.putPrivateKey(ORDER, key);
    await world.vault.putCsr(ORDER, CSR);
    await world.vault.putCsr(RENEWAL, CSR);

    // Act
    await world.prepare();

    // Assess
    expect(await world.vault.getPrivateKey(RENEWAL)).toEqual(key);
    expect(await world.vault.getCsr(RENEWAL)).toBe(CSR);
  });

  it("copies the key of the current certificate: a renewal's, after a renewal with a new key", async () => {
    // Prepare: the current certificate came from ord_rekeyed1, with a key of its own.
    const rekeyed = "ord_rekeyed1";
    const world = await renewalOf({
      certificate: RENEWED_CERTIFICATE,
      certificates: [
        lineageEntry(RENEWED_CERTIFICATE, rekeyed, FIRST_CERTIFICATE.serialNumber),
        lineageEntry(FIRST_CERTIFICATE, ORDER),
      ],
    });
    const firstKey = await newKey();
    const currentKey = await newKey();
    await world.vault.putPrivateKey(ORDER, firstKey);
    await world.vault.putCsr(ORDER, "the first key's CSR");
    await world.vault.putPrivateKey(rekeyed, currentKey);
    await world.vault.putCsr(rekeyed, CSR);

    // Act
    await world.prepare();

    // Assess
    expect(await world.vault.getPrivateKey(RENEWAL)).toEqual(currentKey);
    expect(await world.vault.getCsr(RENEWAL)).toBe(CSR);
  });

  it.each([
    ["key", { key: false, csr: true }],
    ["CSR", { key: true, csr: false }],
  ])("refuses when the renewed order holds no %s", async (_missing, held) => {
    // Prepare
    const world = await renewalOf();
    if (held.key) await world.vault.putPrivateKey(ORDER, await newKey());
    if (held.csr) await world.vault.putCsr(ORDER, CSR);

    // Act
    const prepared = world.prepare();

    // Assess
    await expect(prepared).rejects.toMatchObject({
      name: "CsrRejected",
      message: `Order ${ORDER} has no key and CSR to renew with.`,
    });
    expect(await world.vault.hasPrivateKey(RENEWAL)).toBe(false);
  });

  it("makes a new key and CSR for a renewal with a new key", async () => {
    // Prepare
    const world = await renewalOf({}, { rekey: true });
    const key = await newKey();
    await world.vault.putPrivateKey(ORDER, key);
    await world.vault.putCsr(ORDER, CSR);

    // Act
    await world.prepare();

    // Assess
    const renewalKey = await world.vault.getPrivateKey(RENEWAL);
    expect(renewalKey).toBeDefined();
    expect(renewalKey).not.toEqual(key);
    expect(await world.vault.getCsr(RENEWAL)).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(await world.vault.getCsr(RENEWAL)).not.toBe(CSR);
  });

  it("keeps the key and CSR a first run copied when it runs again", async () => {
    // Prepare
    const world = await renewalOf();
    const key = await newKey();
    await world.vault.putPrivateKey(ORDER, key);
    await world.vault.putCsr(ORDER, CSR);
    await world.prepare();
    const events = (await world.store.history(RENEWAL)).length;

    // Act
    await world.prepare();

    // Assess
    expect(await world.vault.getPrivateKey(RENEWAL)).toEqual(key);
    expect(await world.store.history(RENEWAL)).toHaveLength(events);
  });
});
