// zod/mini: the same checks, messages and JSON Schema as zod's chained API, without loading
// all of zod when the function starts (see README, "Cold starts").
import * as z from "zod/mini";
import { KEY_TYPES } from "../domain/key-types.ts";

export const orderRequestSchema = z.strictObject({
  domains: z.array(z.string()).check(z.minLength(1), z.maxLength(100)),
  product: z._default(z.enum(["DV", "OV", "EV"]), "DV"),
  validation: z.strictObject({
    method: z.enum(["http-file", "dns-txt", "dns-cname", "email"]),
    approverEmail: z.optional(z.string()),
    approverEmails: z.optional(z.record(z.string(), z.string())),
  }),
  key: z.optional(z.strictObject({ type: z.enum(KEY_TYPES) })),
  csr: z.optional(z.string().check(z.maxLength(20_000))),
  contact: z.strictObject({
    name: z.string().check(z.minLength(1), z.maxLength(200)),
    email: z.string().check(z.maxLength(254)),
    phone: z.optional(z.string().check(z.maxLength(40))),
  }),
  // Generous caps: the order rules trim each field and hold it to its X.520 bound (O 64, …).
  organization: z.optional(
    z.strictObject({
      name: z.string().check(z.minLength(1), z.maxLength(256)),
      unit: z.optional(z.string().check(z.maxLength(256))),
      locality: z.string().check(z.minLength(1), z.maxLength(256)),
      state: z.string().check(z.minLength(1), z.maxLength(256)),
      country: z.string(),
    }),
  ),
  ev: z.optional(
    z.strictObject({
      jurisdictionCountry: z.string().check(z.maxLength(16)),
      jurisdictionState: z.optional(z.string().check(z.maxLength(256))),
      jurisdictionLocality: z.optional(z.string().check(z.maxLength(256))),
      businessCategory: z.string().check(z.maxLength(64)),
      registrationNumber: z.string().check(z.maxLength(256)),
    }),
  ),
  validityDays: z.optional(z.number()),
  purchasedNames: z.optional(z.number().check(z.int())),
  /** Check each name's HTTPS server right after issuance (POST …/installation-check any time). */
  installationCheck: z.optional(z.boolean()),
  /** Renew automatically when due (default true). */
  autoRenew: z.optional(z.boolean()),
  /**
   * A plan of this many months (1 to 60): certificates are reissued, each within the validity
   * the rules allow, until the plan ends; then no more renewals.
   */
  planMonths: z.optional(z.number().check(z.int(), z.gte(1), z.lte(60))),
  /** The CA profile to issue under (ACME `profile`): one the CA's directory offers. */
  profile: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});

export type OrderRequestBody = z.infer<typeof orderRequestSchema>;
