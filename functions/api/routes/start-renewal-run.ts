import { RENEWAL_RUN_LIMIT, runRenewals } from "../../orders/renewal-run.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

/** Operators: run the renewal run now (what the daily schedule does), answering its counts. */
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
    const { rest: _rest, ...counts } = await runRenewals(
      { ...deps, installationChecks: deps },
      at,
      {
        limit: RENEWAL_RUN_LIMIT,
      },
    );
    return jsonResponse(202, { at: at.toISOString(), ...counts });
  },
);
