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
import type { Declared } from "../../functions/composition/service-catalog.ts";
import type { StepDeclaration } from "../../functions/workflow/step-declaration.ts";
import {
  definitionPlaceholders,
  functionPlaceholder,
  ORDER_DEFINITION_PATH,
  taskStateBindings,
} from "../../statemachines/order-definition.ts";
import { ServiceFunction, type ServiceResources } from "./service-function.ts";

/**
 * The order workflow: one function per declared step and the state machine loaded from
 * statemachines/order.asl.json (the file the local host runs), each `${<State>FunctionArn}`
 * substituted with the function of the step that serves that state.
 */
export class OrderWorkflow extends Construct {
  readonly steps: ReadonlyMap<string, ServiceFunction>;
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(
    scope: Construct,
    id: string,
    props: {
      resources: ServiceResources;
      steps: readonly Declared<StepDeclaration>[];
      /** Reserved for each step's function; 0 reserves none. */
      reservedConcurrency?: number;
    },
  ) {
    super(scope, id);
    const definition = readFileSync(ORDER_DEFINITION_PATH, "utf8");
    const bindings = taskStateBindings(JSON.parse(definition) as Record<string, unknown>);

    const steps = new Map<string, ServiceFunction>();
    for (const declared of props.steps) {
      const name = declared.declaration.state;
      steps.set(
        name,
        new ServiceFunction(this, name, {
          detail: "a step of the order workflow",
          handler: { kind: "step", name, declared },
          resources: props.resources,
          // Below the 60 s TimeoutSeconds of the Task states, so Lambda stops first; a wait
          // loop's turn (at least 60 s) outlasts it too.
          timeout: Duration.seconds(45),
          reservedConcurrency: props.reservedConcurrency,
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
          `${ORDER_DEFINITION_PATH} uses \${${placeholder}}, which no step in functions/workflow/steps declares.`,
        );
      }
      substitutions[placeholder] = step.function.functionArn;
    }
    for (const binding of bindings) {
      if (!steps.has(binding.stateName)) {
        throw new Error(
          `Task state ${binding.stateName} invokes ${functionPlaceholder(binding.stateName)}, which no step declares.`,
        );
      }
    }
    for (const name of steps.keys()) {
      if (!bindings.some((binding) => binding.stateName === name)) {
        throw new Error(`Step ${name} serves no Task state of ${ORDER_DEFINITION_PATH}.`);
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
    // Steps may only answer task tokens (a wait loop wakes its own task): that needs no ARN.
    for (const [name, step] of steps) {
      const named = (step.needs.workflow ?? []).filter(
        (action) => !action.startsWith("states:SendTask"),
      );
      if (named.length > 0) {
        throw new Error(
          `Step ${name} needs ${named.join(", ")}: a step cannot name the state machine that invokes it (each would depend on the other).`,
        );
      }
      step.allowWorkflow(this.stateMachine);
    }
    const invoked = [...new Set(bindings.map((binding) => binding.stateName))].sort();
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ["lambda:InvokeFunction"],
        resources: invoked.map((name) => steps.get(name)?.function.functionArn ?? ""),
      }),
    );
  }
}
