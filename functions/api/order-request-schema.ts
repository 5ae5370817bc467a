import * as z from "zod";
import { KEY_TYPES } from "../domain/key-types.ts";

export const orderRequestSchema = z
  .object({
    domains: z.array(z.string()).min(1).max(100),
    product: z.enum(["DV", "OV", "EV"]).default("DV"),
    validation: z.strictObject({
      method: z.enum(["http-file", "dns-txt", "dns-cname", "email"]),
      approverEmail: z.string().optional(),
    }),
    key: z.strictObject({ type: z.enum(KEY_TYPES) }).optional(),
    csr: z.string().max(20_000).optional(),
    contact: z.strictObject({
      name: z.string().min(1).max(200),
      email: z.string().max(254),
      phone: z.string().max(40).optional(),
    }),
    organization: z
      .strictObject({
        name: z.string().min(1).max(64),
        unit: z.string().max(64).optional(),
        locality: z.string().min(1).max(128),
        state: z.string().min(1).max(128),
        country: z.string(),
      })
      .optional(),
    validityDays: z.number().optional(),
    purchasedNames: z.number().int().optional(),
  })
  .strict();

export type OrderRequestBody = z.infer<typeof orderRequestSchema>;
