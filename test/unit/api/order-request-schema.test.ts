import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { orderRequestSchema } from "../../../functions/api/order-request-schema.ts";

const base = {
  domains: ["www.example.com"],
  product: "EV",
  validation: { method: "dns-txt" },
  contact: { name: "Ada", email: "ada@example.com", phone: "+49 30 1234567" },
  organization: { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" },
};
const ev = {
  jurisdictionCountry: "DE",
  jurisdictionState: "Berlin",
  jurisdictionLocality: "Charlottenburg",
  businessCategory: "Private Organization",
  registrationNumber: "HRB 12345 B",
};

const paths = (body: unknown) => {
  const parsed = z.safeParse(orderRequestSchema, body);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join("."));
};

describe("orderRequestSchema: ev and organization", () => {
  it("takes ev with every field, and without the optional jurisdiction state and locality", () => {
    const parsed = z.safeParse(orderRequestSchema, { ...base, ev });
    expect(parsed.success && parsed.data.ev).toEqual(ev);
    const { jurisdictionState: _s, jurisdictionLocality: _l, ...required } = ev;
    expect(paths({ ...base, ev: required })).toEqual([]);
  });

  it("refuses ev without its required fields, or with fields it does not know", () => {
    const { registrationNumber: _r, ...withoutNumber } = ev;
    expect(paths({ ...base, ev: withoutNumber })).toEqual(["ev.registrationNumber"]);
    expect(paths({ ...base, ev: { ...ev, incorporationDate: "2001-01-01" } })).toEqual(["ev"]);
    expect(paths({ ...base, ev: "Private Organization" })).toEqual(["ev"]);
  });

  it("leaves the X.520 bounds of organization fields to the order rules (a clear 422)", () => {
    const organization = { ...base.organization, name: "N".repeat(65), locality: "L".repeat(129) };
    expect(paths({ ...base, organization })).toEqual([]);
    expect(paths({ ...base, organization: { ...organization, name: "N".repeat(257) } })).toEqual([
      "organization.name",
    ]);
  });
});
