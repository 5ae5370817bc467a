import { describe, expect, it } from "vitest";
import { createMemoryMailer } from "../../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../../functions/adapters/memory/memory-order-store.ts";
import {
  compose,
  newOrderId,
  ResourceNotProvided,
} from "../../../functions/composition/composition.ts";
import { fixedClock } from "../../../functions/domain/clock.ts";
import { declareStep } from "../../../functions/workflow/step-declaration.ts";
import { byOrder } from "../../../functions/workflow/step-inputs.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../functions/workflow/workflow-settings.ts";

const facts = {
  caKind: "embedded" as const,
  settings: DEFAULT_WORKFLOW_SETTINGS,
  serviceInfo: {},
  logError: () => undefined,
  clock: fixedClock(new Date("2027-01-10T08:00:00Z")),
};

describe("the composition core", () => {
  it("builds each resource once and shares it between handlers", () => {
    let built = 0;
    const composition = compose(facts, {
      store: () => {
        built += 1;
        return createMemoryOrderStore(facts.clock);
      },
    });

    const reader = composition.dependenciesFor({ table: "read" });
    const writer = composition.dependenciesFor({ table: "write" });

    expect(built).toBe(1);
    expect(reader.store).toBe(writer.store);
    expect(reader.clock).toBe(facts.clock);
  });

  it("gives a handler only what its needs name", () => {
    const composition = compose(facts, {
      store: () => createMemoryOrderStore(facts.clock),
      mailer: () => createMemoryMailer(),
    });

    const deps = composition.dependenciesFor({ mail: true });

    expect("mailer" in deps).toBe(true);
    expect("store" in deps).toBe(false);
    expect(deps.caProfile).toEqual({ kind: "embedded", audience: "private" });
  });

  it("refuses a resource the host cannot build, naming it", () => {
    const composition = compose(facts, {});

    expect(() => composition.dependenciesFor({ dcv: true })).toThrow(ResourceNotProvided);
    expect(() => composition.dependenciesFor({ ca: true })).toThrow(/no embedded CA/);
  });

  it("builds the CA directory of the host's kind of CA, once", () => {
    let built = 0;
    const embedded = { profiles: async () => ({}), renewalWindow: async () => undefined };
    const composition = compose(facts, {
      caDirectory: {
        embedded: () => {
          built += 1;
          return embedded;
        },
        acme: () => {
          throw new Error("not this kind");
        },
      },
    });

    const first = composition.dependenciesFor({ caDirectory: true } as const);
    const second = composition.dependenciesFor({ caDirectory: true, mail: undefined } as const);

    expect(first.caDirectory).toBe(embedded);
    expect(second.caDirectory).toBe(embedded);
    expect(built).toBe(1);
    expect(() => compose(facts, {}).dependenciesFor({ caDirectory: true })).toThrow(
      /no embedded CA directory/,
    );
  });

  it("gives every handler the host's random draws", () => {
    const draws = () => 0.25;

    expect(compose({ ...facts, random: draws }, {}).base.random).toBe(draws);
    expect(compose(facts, {}).base.random).toBe(Math.random);
  });

  it("makes order ids of 80 random bits", () => {
    const ids = new Set(Array.from({ length: 100 }, newOrderId));

    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^ord_[0-9a-f]{20}$/);
  });

  it("types a step's dependencies by its needs: what it did not declare is not there", () => {
    const step = declareStep(
      "Example",
      { input: byOrder, needs: { table: "read" } },
      async (deps) => {
        // @ts-expect-error the step declared no mailer
        deps.mailer;
        // @ts-expect-error the step declared no vault
        deps.vault;
        return deps.store.get("ord_x");
      },
    );

    expect(step.kind).toBe("step");
  });
});
