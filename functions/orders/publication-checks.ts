import type { OrderRecord, ValidationRecord } from "../domain/order-record.ts";
import type { DcvChecker } from "../ports/dcv-checker.ts";
import { publicationFor } from "./publication-for.ts";

export interface PublicationCheckResult {
  readonly validations: readonly ValidationRecord[];
  readonly allPublished: boolean;
}

/** Checks every name not yet validated, the way the CA will; shared by the loop and the API. */
export async function checkPublications(
  order: OrderRecord,
  dcv: DcvChecker,
  at: Date,
): Promise<PublicationCheckResult> {
  const validations = await Promise.all(
    order.validations.map(async (validation): Promise<ValidationRecord> => {
      if (validation.status === "valid") return validation;
      const publication = publicationFor(validation.instructions);
      if (publication === undefined) return validation;
      const outcome = await dcv.check(publication);
      return {
        ...validation,
        status: outcome.ok ? "published" : "pending",
        lastCheck: outcome.ok
          ? { at: at.toISOString(), ok: true }
          : { at: at.toISOString(), ok: false, cause: outcome.cause, detail: outcome.detail },
      };
    }),
  );
  const allPublished = validations.every(
    (validation) => validation.status === "valid" || validation.status === "published",
  );
  return { validations, allPublished };
}

export function summarizeChecks(validations: readonly ValidationRecord[]): string {
  return validations
    .map((validation) =>
      validation.lastCheck === undefined || validation.lastCheck.ok
        ? `${validation.domain}: ok`
        : `${validation.domain}: ${validation.lastCheck.cause} (${validation.lastCheck.detail})`,
    )
    .join("; ");
}
