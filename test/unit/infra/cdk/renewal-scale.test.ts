import { beforeAll, describe, expect, it } from "vitest";
import { RENEWAL_SHARDS } from "../../../../functions/adapters/aws/order-table-design.ts";
import { RENEWAL_INDEX_SHARDS } from "../../../../functions/domain/renewal-shards.ts";
import { AWS_ENVIRONMENT } from "../../../../functions/lambda/aws-environment.ts";
import {
  RENEWAL_BATCH_SIZE,
  RENEWAL_ORDERS_PER_SECOND,
  RENEWAL_STARTS_PER_SECOND,
} from "../../../../functions/orders/renewal-run.ts";
import { schedule as renewalRun } from "../../../../functions/schedules/runs/renew-due-certificates.ts";
import { documentedScale } from "./documented-scale.ts";
import {
  type CfnResource,
  resourcesOfType,
  type SynthesizedService,
  synthesizeService,
} from "./synthesized-service.ts";

/**
 * CloudFormation's limit is 500 resources a stack; the alarms live in a nested stack of their
 * own, and this keeps room for the next features.
 */
const MAIN_STACK_RESOURCE_CEILING = 400;

function renewalFunction(service: SynthesizedService): [string, CfnResource] {
  const found = resourcesOfType(service, "AWS::Lambda::Function").filter(([, resource]) =>
    String(resource.Properties.Description ?? "").startsWith(
      `certflow schedule ${renewalRun.name}:`,
    ),
  );
  expect(found).toHaveLength(1);
  return found[0] as [string, CfnResource];
}

const environmentOf = (resource: CfnResource) =>
  (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

let service: SynthesizedService;
beforeAll(() => {
  service = synthesizeService();
}, 120_000);

describe("the renewal run at scale, as README's Scale section sizes it", () => {
  it("builds the renewal index with the documented shard count, on both sides of the store", () => {
    const documented = documentedScale();
    expect(documented.get("RENEWAL_INDEX_SHARDS")).toBe(RENEWAL_INDEX_SHARDS);
    expect(RENEWAL_SHARDS).toBe(RENEWAL_INDEX_SHARDS);
    expect(documented.get("RENEWAL_ORDERS_PER_SECOND")).toBe(RENEWAL_ORDERS_PER_SECOND);
  });

  it("gives the renewal function the documented batch size and start rate, and 15 minutes", () => {
    const documented = documentedScale();
    const [, renewal] = renewalFunction(service);
    const variables = environmentOf(renewal);
    expect(documented.get("RENEWAL_BATCH_SIZE")).toBe(RENEWAL_BATCH_SIZE);
    expect(documented.get("certflow:renewalStartsPerSecond")).toBe(RENEWAL_STARTS_PER_SECOND);
    expect(variables[AWS_ENVIRONMENT.renewalBatchSize]).toBe(String(RENEWAL_BATCH_SIZE));
    expect(variables[AWS_ENVIRONMENT.renewalStartsPerSecond]).toBe(
      String(RENEWAL_STARTS_PER_SECOND),
    );
    expect(renewal.Properties.Timeout).toBe(900);
  });

  it("takes the start rate from the deployment setting", () => {
    const faster = synthesizeService({ "certflow:renewalStartsPerSecond": "120" });
    const [, renewal] = renewalFunction(faster);
    expect(environmentOf(renewal)[AWS_ENVIRONMENT.renewalStartsPerSecond]).toBe("120");
  }, 120_000);

  it("lets the renewal function invoke itself (its workers) and nothing else, in a policy of its own", () => {
    const [renewalId] = renewalFunction(service);
    const invoking = resourcesOfType(service, "AWS::IAM::Policy").filter(([, policy]) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes("lambda:InvokeFunction"),
    );
    const statements = invoking.flatMap(
      ([, policy]) =>
        (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: "lambda:InvokeFunction",
        Effect: "Allow",
        Resource: { "Fn::GetAtt": [renewalId, "Arn"] },
      }),
    );
    const handOff = invoking.filter(([id]) => id.includes("HandOff"));
    expect(handOff).toHaveLength(1);
    const statementsOf = ([, policy]: [string, CfnResource]) =>
      (policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement;
    expect(handOff.map(statementsOf)).toEqual([[expect.anything()]]);
  });

  it(`keeps the main stack at ${MAIN_STACK_RESOURCE_CEILING} resources or fewer`, () => {
    const count = Object.keys(service.json.Resources).length;
    expect(count).toBeLessThanOrEqual(MAIN_STACK_RESOURCE_CEILING);
    // The fan-out adds one resource: the hand-off policy (without it, one fewer).
    const off = synthesizeService({ "certflow:renewalSchedule": "off" });
    expect(resourcesOfType(off, "AWS::IAM::Policy").some(([id]) => id.includes("HandOff"))).toBe(
      false,
    );
  }, 120_000);
});
