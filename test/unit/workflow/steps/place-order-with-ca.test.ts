import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import type { CaaIdentity } from "../../../../functions/domain/caa-policy.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { CaaFinding } from "../../../../functions/ports/caa-lookup.ts";
import type {
  CertificateAuthority,
  PlacedOrder,
} from "../../../../functions/ports/certificate-authority.ts";
import type { DcvChecker } from "../../../../functions/ports/dcv-checker.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";

const ORDER_ID = "ord_caaplace";
const NAMES = ["shop.example.com", "*.example.com"];
const IDENTITY: CaaIdentity = { identities: ["ca.example"], accountUri: "https://ca.example/a/1" };

/** A submitted order, a CA that records whether it was asked, and CAA as `caa` says. */
async function submittedOrder(caa: Record<string, CaaFinding>, dcvWithCaa = true) {
  const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  const store = createMemoryOrderStore(clock);
  await store.create(
    sampleOrder({
      orderId: ORDER_ID,
      names: NAMES.map((name) => ({
        ascii: name,
        display: name,
        wildcard: name.startsWith("*."),
      })),
    }),
    sampleEvent(clock.now(), "Order received."),
  );
  const placed: string[] = [];
  const ca = {
    kind: "acme",
    audience: "public",
    caaIdentity: async () => IDENTITY,
    async placeOrder(input): Promise<PlacedOrder> {
      placed.push(input.orderId);
      return {
        caOrderRef: "https://ca.example/order/1",
        alreadyValid: false,
        challenges: input.names.map((name) => ({
          domain: name.ascii,
          method: input.method,
          instructions: {
            method: "dns-txt",
            recordType: "TXT",
            host: `_acme-challenge.${name.ascii.replace(/^\*\./, "")}`,
            value: "v",
          },
        })),
      };
    },
  } as Pick<CertificateAuthority, "kind" | "audience" | "caaIdentity" | "placeOrder">;
  const check: DcvChecker["check"] = async () => ({ ok: true });
  const dcv: DcvChecker = dcvWithCaa
    ? { check, caa: async (name) => caa[name] ?? { kind: "none" } }
    : { check };
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
    placed,
    place: () => runDeclaredStep(deps, "PlaceOrderWithCa", { orderId: ORDER_ID }),
  };
}

describe("PlaceOrderWithCa and CAA", () => {
  it("fails with CaaForbids before the CA is asked when a name's CAA forbids the CA", async () => {
    const world = await submittedOrder({
      "*.example.com": {
        kind: "found",
        rrset: {
          foundAt: "example.com",
          records: [
            { flags: 0, tag: "issue", value: "ca.example" },
            { flags: 0, tag: "issuewild", value: "other.example" },
          ],
        },
      },
    });

    await expect(world.place()).rejects.toMatchObject({
      name: "CaaForbids",
      message: expect.stringContaining('Add example.com. CAA 0 issuewild "ca.example"'),
    });
    expect(world.placed).toEqual([]);
    expect((await world.store.get(ORDER_ID))?.status).toBe("SUBMITTED");
  });

  it("places the order when CAA allows, and records the CA's CAA identity for later checks", async () => {
    const world = await submittedOrder({
      "shop.example.com": {
        kind: "found",
        rrset: {
          foundAt: "example.com",
          records: [
            { flags: 0, tag: "issue", value: "ca.example; accounturi=https://ca.example/a/1" },
          ],
        },
      },
    });

    await world.place();

    expect(world.placed).toEqual([ORDER_ID]);
    const order = await world.store.get(ORDER_ID);
    expect(order?.status).toBe("PENDING_VALIDATION");
    expect(order?.caaIdentity).toEqual(IDENTITY);
  });

  it("places the order while a CAA lookup answers SERVFAIL: the checks wait for a verdict", async () => {
    const world = await submittedOrder({
      "shop.example.com": { kind: "failed", cause: "DNS_SERVFAIL", detail: "SERVFAIL" },
    });

    await world.place();

    expect(world.placed).toEqual([ORDER_ID]);
    expect((await world.store.get(ORDER_ID))?.caaIdentity).toEqual(IDENTITY);
  });

  it("judges no CAA with a checker that has no CAA lookup", async () => {
    const world = await submittedOrder({}, false);

    await world.place();

    expect(world.placed).toEqual([ORDER_ID]);
    expect((await world.store.get(ORDER_ID))?.caaIdentity).toBeUndefined();
  });
});
