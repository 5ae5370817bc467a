import { declareSchedule } from "../schedule-declaration.ts";

/**
 * Re-signs the embedded CA's CRL every day (new thisUpdate, nextUpdate and CRL number) and
 * publishes it, so it never lapses between revocations: its nextUpdate (7 days by default) is
 * always days ahead. Every deployment of the embedded CA runs it; an ACME CA publishes its own.
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
    return published === undefined
      ? { ca: deps.caProfile.kind, published: false }
      : {
          ca: deps.caProfile.kind,
          published: true,
          crlNumber: published.crlNumber,
          nextUpdate: published.nextUpdate.toISOString(),
          revoked: published.revoked,
        };
  },
);
