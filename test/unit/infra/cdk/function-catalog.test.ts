import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { API_ROUTES } from "../../../../functions/api/route-table.ts";
import { WORKFLOW_STEP_NAMES } from "../../../../functions/workflow/step-registry.ts";
import {
  needsMasterSecret,
  ROUTE_FUNCTIONS,
  STEP_FUNCTIONS,
  wiringOf,
} from "../../../../infra/cdk/function-catalog.ts";
import { definitionPlaceholders } from "../../../../infra/cdk/order-workflow.ts";
import { ORDER_DEFINITION_PATH } from "../../../../statemachines/order-definition.ts";

describe("the function catalog", () => {
  it("has a step function for every placeholder of the state machine, and no other", () => {
    const placeholders = definitionPlaceholders(readFileSync(ORDER_DEFINITION_PATH, "utf8"));
    expect(placeholders.every((placeholder) => placeholder.endsWith("FunctionArn"))).toBe(true);
    expect(
      placeholders.map((placeholder) => placeholder.replace(/FunctionArn$/, "")).sort(),
    ).toEqual(Object.keys(STEP_FUNCTIONS).sort());
    expect([...WORKFLOW_STEP_NAMES].sort()).toEqual(Object.keys(STEP_FUNCTIONS).sort());
  });

  it("has a function for every API route, and no other", () => {
    expect(API_ROUTES.map((route) => route.name).sort()).toEqual(
      Object.keys(ROUTE_FUNCTIONS).sort(),
    );
  });

  it("builds a CA on the vault and the checks, and fetches the master secret only for private keys", () => {
    expect(wiringOf({ ca: true })).toEqual({
      store: false,
      vault: true,
      mailer: false,
      dcv: true,
      ca: true,
      workflow: false,
    });
    expect(needsMasterSecret({ vaultRead: ["certificates"] })).toBe(false);
    expect(needsMasterSecret({ vaultRead: ["private-keys"] })).toBe(true);
    expect(needsMasterSecret({ ca: true })).toBe(true);
  });
});
