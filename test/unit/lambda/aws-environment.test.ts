import { describe, expect, it } from "vitest";
import {
  AWS_ENVIRONMENT,
  MissingSetting,
  workflowSettingsFrom,
} from "../../../functions/lambda/aws-environment.ts";

const BASE = { [AWS_ENVIRONMENT.publicApiUrl]: "https://api.shop.example/" };

describe("workflowSettingsFrom", () => {
  it("gives customers 3 days after a renewal to install it, or what CERTFLOW_INSTALLATION_GRACE_SECONDS says", () => {
    expect(workflowSettingsFrom(BASE).installationGraceSeconds).toBe(259_200);
    expect(
      workflowSettingsFrom({ ...BASE, CERTFLOW_INSTALLATION_GRACE_SECONDS: "3600" })
        .installationGraceSeconds,
    ).toBe(3_600);
    expect(() =>
      workflowSettingsFrom({ ...BASE, CERTFLOW_INSTALLATION_GRACE_SECONDS: "soon" }),
    ).toThrow(MissingSetting);
  });
});
