import { SFNClient } from "@aws-sdk/client-sfn";
import { createStepFunctionsEngine } from "../../adapters/sfn/step-functions-engine.ts";
import type { WorkflowEngine } from "../../ports/workflow-engine.ts";
import { AWS_ENVIRONMENT, type Environment, requiredSetting } from "../aws-environment.ts";

/** Functions that only answer task tokens are not told the machine's ARN: asked for, it fails. */
export function workflow(env: Environment): WorkflowEngine {
  return createStepFunctionsEngine({
    client: new SFNClient({}),
    stateMachineArn: () => requiredSetting(env, AWS_ENVIRONMENT.stateMachineArn),
  });
}
