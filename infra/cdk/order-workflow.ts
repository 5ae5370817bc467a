import { readFileSync } from "node:fs";
import { Duration, Validations } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import {
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
} from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { ORDER_DEFINITION_PATH, taskStateBindings } from "../local/order-definition.ts";
import { STEP_FUNCTIONS } from "./function-catalog.ts";
import { STEP_ENTRY } from "./lambda-bundling.ts";
import { ServiceFunction, type ServiceResources } from "./service-function.ts";

/** Every `${Name}` placeholder of an ASL text, in order of first appearance. */
export function definitionPlaceholders(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1] ?? ""))];
}

/**
 * The order workflow: one function per step and the state machine loaded from
 * statemachines/order.asl.json (the file the local host runs), each `${<Name>FunctionArn}`
 * substituted with that step's function.
 */
export class OrderWorkflow extends Construct {
  readonly steps: ReadonlyMap<string, ServiceFunction>;
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: { resources: ServiceResources }) {
    super(scope, id);
    const definition = readFileSync(ORDER_DEFINITION_PATH, "utf8");
    const bindings = taskStateBindings(JSON.parse(definition) as Record<string, unknown>);

    const steps = new Map<string, ServiceFunction>();
    for (const [name, needs] of Object.entries(STEP_FUNCTIONS)) {
      steps.set(
        name,
        new ServiceFunction(this, name, {
          name,
          description: `certflow order step ${name}`,
          entry: STEP_ENTRY,
          needs,
          resources: props.resources,
          // Below the 60 s TimeoutSeconds of every Task state, so Lambda stops first.
          timeout: Duration.seconds(45),
        }),
      );
    }
    this.steps = steps;

    const substitutions: Record<string, string> = {};
    for (const placeholder of definitionPlaceholders(definition)) {
      const name = /^(\w+)FunctionArn$/.exec(placeholder)?.[1];
      const step = name === undefined ? undefined : steps.get(name);
      if (step === undefined) {
        throw new Error(
          `${ORDER_DEFINITION_PATH} uses \${${placeholder}}, which names no step function in infra/cdk/function-catalog.ts.`,
        );
      }
      substitutions[placeholder] = step.function.functionArn;
    }
    for (const binding of bindings) {
      if (!steps.has(binding.functionName)) {
        throw new Error(
          `State ${binding.stateName} calls ${binding.functionName}, which has no function.`,
        );
      }
    }

    this.logGroup = new LogGroup(this, "ExecutionLogs", {
      retention: props.resources.logRetention,
    });
    this.stateMachine = new StateMachine(this, "OrderStateMachine", {
      comment: "certflow: one execution per certificate order",
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      // Every state change is logged; inputs and outputs are not (they name customers).
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    Validations.of(this.stateMachine).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "Step Functions' own logging and tracing: logs:*LogDelivery, logs:PutResourcePolicy, logs:DescribeResourcePolicies, logs:DescribeLogGroups and xray:PutTraceSegments/PutTelemetryRecords/GetSampling* accept no resource but *.",
    });
    const invoked = [...new Set(bindings.map((binding) => binding.functionName))].sort();
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ["lambda:InvokeFunction"],
        resources: invoked.map((name) => steps.get(name)?.function.functionArn ?? ""),
      }),
    );
  }
}
