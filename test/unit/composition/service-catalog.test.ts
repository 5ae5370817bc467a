import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DeclarationMissing,
  loadServiceCatalog,
} from "../../../functions/composition/service-catalog.ts";
import {
  definitionPlaceholders,
  ORDER_DEFINITION_PATH,
  readOrderDefinition,
  taskStateBindings,
} from "../../../statemachines/order-definition.ts";
import { everythingFrom } from "../../support/declared-steps.ts";

const catalog = await loadServiceCatalog();

describe("the service catalog", () => {
  it("has one step for every Task state of the state machine, and no other", () => {
    const tasks = taskStateBindings(readOrderDefinition()).map((binding) => binding.stateName);
    const placeholders = definitionPlaceholders(readFileSync(ORDER_DEFINITION_PATH, "utf8"));

    const steps = catalog.steps.map(({ declaration }) => declaration.state);

    expect(steps.sort()).toEqual([...new Set(tasks)].sort());
    expect(
      placeholders.map((placeholder) => placeholder.replace(/FunctionArn$/, "")).sort(),
    ).toEqual(steps.sort());
  });

  it("finds each step in the file named after its state, exported as `step`", () => {
    for (const { declaration, modulePath, exportName } of catalog.steps) {
      const fileName = declaration.state.replace(/(?<!^)([A-Z])/g, "-$1").toLowerCase();

      expect(modulePath, declaration.state).toMatch(new RegExp(`/${fileName}\\.ts$`));
      expect(exportName).toBe("step");
    }
  });

  it("finds each route in the file named after it, exported as `route`", () => {
    for (const { declaration, modulePath, exportName } of catalog.routes) {
      const fileName = declaration.name.replace(/(?<!^)([A-Z])/g, "-$1").toLowerCase();

      expect(modulePath, declaration.name).toMatch(new RegExp(`/${fileName}\\.ts$`));
      expect(exportName).toBe("route");
    }
  });

  it("has routes with unique names and unique method and path", () => {
    const names = catalog.routes.map(({ declaration }) => declaration.name);
    const endpoints = catalog.routes.map(
      ({ declaration }) => `${declaration.method} ${declaration.path}`,
    );

    expect(new Set(names).size).toBe(names.length);
    expect(new Set(endpoints).size).toBe(endpoints.length);
    expect(names).toContain("SubmitOrder");
  });

  it("gives every step its own input check, naming the step", async () => {
    for (const { declaration } of catalog.steps) {
      const attempt = declaration.bind(everythingFrom({}))({ orderId: 42 });

      await expect(attempt, declaration.state).rejects.toThrow(
        new RegExp(`^${declaration.state}: `),
      );
    }
  });

  it("refuses a declaration file that does not export its declaration under the kind's name", async () => {
    const fixture = new URL("../../fixtures/catalog-without-export/", import.meta.url).pathname;

    const loading = loadServiceCatalog(fixture);

    await expect(loading).rejects.toThrow(DeclarationMissing);
    await expect(loading).rejects.toThrow(
      "functions/workflow/steps/unnamed-step.ts must export its step declaration as `step`",
    );
  });
});
