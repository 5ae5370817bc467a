import {
  RENEWAL_BATCH_RESERVE_MS,
  RENEWAL_RUN_LIMIT,
  runRenewals,
} from "../../orders/renewal-run.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

/**
 * How long the route begins due orders: API Gateway gives an integration 29 s, and the orders
 * begun last (at most 16 at once, each bounded) must finish inside it.
 */
export const RENEWAL_ROUTE_BUDGET_MS = 12_000;

/**
 * Operators: run the renewal run now (what the daily schedule does), answering its counts, and
 * `more` when it stopped at its time budget or its 5,000 orders with more due: a repeated run
 * starts no renewal twice, so asking again goes on.
 */
export const route = declareRoute(
  "POST /v1/renewal-runs",
  {
    name: "StartRenewalRun",
    access: ["operator"],
    needs: {
      table: "write",
      tableIndexes: ["ByRenewalDate"],
      vaultRead: ["csrs", "certificates"],
      vaultWrite: ["csrs"],
      mail: true,
      installationCheck: true,
      caDirectory: true,
      workflow: ["states:StartExecution"],
    },
  },
  async (deps) => {
    const at = deps.clock.now();
    const { rest, ...counts } = await runRenewals({ ...deps, installationChecks: deps }, at, {
      limit: RENEWAL_RUN_LIMIT,
      // The run stops when less than its reserve is left: the reserve plus the budget, spent.
      timeLeftMs: () =>
        RENEWAL_BATCH_RESERVE_MS +
        RENEWAL_ROUTE_BUDGET_MS -
        (deps.clock.now().getTime() - at.getTime()),
    });
    const more = rest !== undefined || counts.due >= RENEWAL_RUN_LIMIT;
    return jsonResponse(202, { at: at.toISOString(), ...counts, more });
  },
);
