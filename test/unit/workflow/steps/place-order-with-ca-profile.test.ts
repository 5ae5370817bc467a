import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord } from "../../../../functions/domain/order-record.ts";
import type {
  CertificateAuthority,
  PlacedOrder,
} from "../../../../functions/ports/certificate-authority.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";

const ORDER_ID = "ord_profileplace";
const CERT_ID = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";

type PlaceOrderInput = Parameters<CertificateAuthority["placeOrder"]>[0];

/** Places a submitted order with `fields` on a CA that records what it was asked. */
async function placed(fields: Partial<OrderRecord>): Promise<PlaceOrderInput> {
  const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  const store = createMemoryOrderStore(clock);
  await store.create(
    sampleOrder({ orderId: ORDER_ID, ...fields }),
    sampleEvent(clock.now(), "Order received."),
  );
  const asked: PlaceOrderInput[] = [];
  const ca = {
    kind: "acme",
    audience: "public",
    caaIdentity: async () => ({ identities: [] }),
    async placeOrder(input): Promise<PlacedOrder> {
      asked.push(input);
      return { caOrderRef: "https://ca.example/order/1", alreadyValid: false, challenges: [] };
    },
  } as Pick<CertificateAuthority, "kind" | "audience" | "caaIdentity" | "placeOrder">;
  const deps = {
    clock,
    store,
    ca,
    dcv: { check: async () => ({ ok: true }) },
    settings: DEFAULT_WORKFLOW_SETTINGS,
    logError: () => undefined,
  } as unknown as StepDependencies;
  await runDeclaredStep(deps, "PlaceOrderWithCa", { orderId: ORDER_ID });
  const [input] = asked;
  if (input === undefined) throw new Error("the CA was not asked");
  return input;
}

describe("PlaceOrderWithCa: profile and replaces", () => {
  it("asks the CA for the order's profile and names the certificate a renewal replaces", async () => {
    const input = await placed({
      profile: "shortlived",
      renewalOf: "ord_original",
      replaces: CERT_ID,
    });

    expect(input).toMatchObject({ orderId: ORDER_ID, profile: "shortlived", replaces: CERT_ID });
  });

  it("names neither for an order without them", async () => {
    const input = await placed({});

    expect(input).not.toHaveProperty("profile");
    expect(input).not.toHaveProperty("replaces");
  });
});
