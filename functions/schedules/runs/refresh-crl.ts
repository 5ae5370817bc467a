import { declareSchedule } from "../schedule-declaration.ts";

/** The field of the run's result (and so the metric) saying how long the published CRL has left. */
export const CRL_TIME_LEFT = "nextUpdateInSeconds";

/**
 * Re-signs the embedded CA's CRL every day (new thisUpdate, nextUpdate and CRL number) and
 * publishes it, so it never lapses between revocations: its nextUpdate (7 days by default) is
 * always days ahead. Every deployment of the embedded CA runs it; an ACME CA publishes its own.
 * `nextUpdateInSeconds`, the time the published CRL has left (negative: how long ago it
 * lapsed), becomes a metric on AWS that operators alarm on (infra/cdk/operations.ts).
 */
export const schedule = declareSchedule(
  {
    name: "RefreshCrl",
    description: "re-signs and publishes the embedded CA's CRL so it never lapses",
    hourUtc: 2,
    runs: "always",
    caKind: "embedded",
    needs: { ca: true },
  },
  async (deps) => {
    const published = await deps.ca.refreshRevocationList?.();
    const now = deps.clock.now();
    return published === undefined
      ? { ca: deps.caProfile.kind, published: false }
      : {
          ca: deps.caProfile.kind,
          published: true,
          crlNumber: published.crlNumber,
          nextUpdate: published.nextUpdate.toISOString(),
          [CRL_TIME_LEFT]: Math.round((published.nextUpdate.getTime() - now.getTime()) / 1000),
          revoked: published.revoked,
        };
  },
);
