import { runRenewals } from "../../orders/renewal-run.ts";
import { declareSchedule } from "../schedule-declaration.ts";

/** The daily renewal run: renews what is due, and marks what ended unrenewed as EXPIRED. */
export const schedule = declareSchedule(
  {
    name: "RenewDueCertificates",
    description: "starts renewals of certificates that are due, and marks ended ones EXPIRED",
    hourUtc: 3,
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
  // A run that starts late judges what is due by the time it runs, not the time it was due.
  async (deps) => runRenewals({ ...deps, installationChecks: deps }, deps.clock.now()),
);
