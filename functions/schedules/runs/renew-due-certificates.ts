import * as z from "zod/mini";
import { type RenewalWork, runRenewalFanOut } from "../../orders/renewal-fan-out.ts";
import { declareSchedule } from "../schedule-declaration.ts";

/** A part of the run handed on: a shard of the renewal index, from a position on. */
const renewalWork = z.object({
  now: z.iso.datetime(),
  shard: z.int().check(z.nonnegative()),
  after: z.optional(z.object({ dueAt: z.string(), orderId: z.string() })),
});

/**
 * The daily renewal run: renews what is due, and marks what ended unrenewed as EXPIRED. On AWS
 * it hands each shard of the renewal index to an invocation of its own (README, "Scale").
 */
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
  async (deps, event, host) => {
    const work: RenewalWork | undefined =
      event.part === undefined ? undefined : renewalWork.parse(event.part);
    return runRenewalFanOut(
      { ...deps, installationChecks: deps },
      deps.clock.now(),
      host === undefined
        ? undefined
        : {
            timeLeftMs: () => host.timeLeftMs(),
            handOff: (parts) => host.handOff(parts.map((part) => ({ ...part }))),
          },
      work,
      {
        startsPerSecond: deps.settings.renewalStartsPerSecond,
        batchSize: deps.settings.renewalBatchSize,
      },
    );
  },
);
