import { describe, expect, it } from "vitest";
import { EmbeddedCertificateAuthority } from "../../../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type {
  CertificateAuthority,
  PlacedOrder,
} from "../../../../functions/ports/certificate-authority.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import { orderName } from "../../../support/email-approvals.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";
import { memoryVault } from "../../../support/renewal-fixtures.ts";

const ORDER_ID = "ord_reuseplace";
const NOW = new Date("2027-01-10T08:00:00Z");
const NAMES = ["shop.example.com", "www.example.com"];
const LATER = "2027-02-01T00:00:00.000Z";

type PlaceInput = Parameters<CertificateAuthority["placeOrder"]>[0];

/**
 * A submitted order of tenant-a for NAMES, and a CA of `kind` that records what it was asked
 * (the embedded CA itself, or an ACME CA that holds nothing validated).
 */
async function submittedOrder(kind: "embedded" | "acme") {
  const clock = fixedClock(NOW);
  const store = createMemoryOrderStore(clock);
  await store.create(
    sampleOrder({ orderId: ORDER_ID, names: NAMES.map((name) => orderName(name)) }),
    sampleEvent(clock.now(), "Order received."),
  );
  const asked: PlaceInput[] = [];
  const dcv = { check: async () => ({ ok: true as const }) };
  const embedded = new EmbeddedCertificateAuthority({ vault: memoryVault(), dcv, clock });
  const ca = {
    kind,
    audience: kind === "embedded" ? "private" : "public",
    caaIdentity: async () => ({ identities: ["ca.example"] }),
    async placeOrder(input: PlaceInput): Promise<PlacedOrder> {
      asked.push(input);
      if (kind === "embedded") return embedded.placeOrder(input);
      return {
        caOrderRef: "https://ca.example/order/1",
        alreadyValid: false,
        challenges: input.names.map((name) => ({
          domain: name.ascii,
          method: input.method,
          instructions: {
            method: "dns-txt",
            recordType: "TXT",
            host: `_acme-challenge.${name.ascii}`,
            value: "v",
          },
        })),
      };
    },
  } as Pick<CertificateAuthority, "kind" | "audience" | "caaIdentity" | "placeOrder">;
  const deps = {
    clock,
    store,
    ca,
    dcv,
    settings: DEFAULT_WORKFLOW_SETTINGS,
    logError: () => undefined,
  } as unknown as StepDependencies;
  return {
    store,
    asked,
    place: () => runDeclaredStep(deps, "PlaceOrderWithCa", { orderId: ORDER_ID }),
  };
}

const statuses = async (store: Awaited<ReturnType<typeof submittedOrder>>["store"]) =>
  Object.fromEntries(
    ((await store.get(ORDER_ID))?.validations ?? []).map((validation) => [
      validation.domain,
      validation.status,
    ]),
  );

describe("PlaceOrderWithCa and names the tenant proved", () => {
  it("gives the embedded CA the names this tenant proved, which need no proof again", async () => {
    // Prepare
    const world = await submittedOrder("embedded");
    await world.store.recordProvenNames("tenant-a", ["shop.example.com"], LATER);

    // Act
    const placement = await world.place();

    // Assess
    expect(world.asked[0]?.reusable).toEqual(["shop.example.com"]);
    expect(await statuses(world.store)).toEqual({
      "shop.example.com": "valid",
      "www.example.com": "pending",
    });
    expect(placement).toMatchObject({ alreadyValid: false });
  });

  it("places an order whose every name this tenant proved as valid", async () => {
    // Prepare
    const world = await submittedOrder("embedded");
    await world.store.recordProvenNames("tenant-a", NAMES, LATER);

    // Act
    const placement = await world.place();

    // Assess
    expect(world.asked[0]?.reusable).toEqual(NAMES);
    expect(placement).toMatchObject({ alreadyValid: true });
    const order = await world.store.get(ORDER_ID);
    expect(order?.status).toBe("PENDING_VALIDATION");
    expect(await statuses(world.store)).toEqual({
      "shop.example.com": "valid",
      "www.example.com": "valid",
    });
    expect((await world.store.history(ORDER_ID)).at(-1)?.message).toBe(
      "Every name was proven by this account within the reuse period, and the CA holds it validated.",
    );
  });

  it.each([
    ["a proof that ended", "tenant-a", NOW.toISOString()],
    ["another tenant's proof", "tenant-b", LATER],
  ])("gives the embedded CA no reusable names for %s", async (_case, tenantId, until) => {
    // Prepare
    const world = await submittedOrder("embedded");
    await world.store.recordProvenNames(tenantId, NAMES, until);

    // Act
    await world.place();

    // Assess
    expect(world.asked[0]).not.toHaveProperty("reusable");
    expect(await statuses(world.store)).toEqual({
      "shop.example.com": "pending",
      "www.example.com": "pending",
    });
  });

  it("gives another CA no reusable names: it decides for itself", async () => {
    // Prepare
    const world = await submittedOrder("acme");
    await world.store.recordProvenNames("tenant-a", NAMES, LATER);

    // Act
    await world.place();

    // Assess
    expect(world.asked[0]).not.toHaveProperty("reusable");
    expect(await statuses(world.store)).toEqual({
      "shop.example.com": "pending",
      "www.example.com": "pending",
    });
  });
});
