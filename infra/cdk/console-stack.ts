import {
  CfnOutput,
  CrossStackReferences,
  ReferenceStrength,
  Stack,
  type StackProps,
} from "aws-cdk-lib";
import type { IRestApi } from "aws-cdk-lib/aws-apigateway";
import type { IUserPool } from "aws-cdk-lib/aws-cognito";
import type { Construct } from "constructs";
import { currentConsoleBuild } from "./console-build.ts";
import type { DeploymentSettings } from "./deployment-settings.ts";
import { defaultConsoleDomainPrefix, WebConsole } from "./web-console.ts";

export interface ConsoleStackProps extends StackProps {
  readonly settings: DeploymentSettings;
  /** The main stack's REST API and user pool (cross-stack references). */
  readonly api: IRestApi;
  readonly userPool: IUserPool;
  /** The console build to deploy; the current one in .build/console when not given. */
  readonly buildFolder?: string;
}

/**
 * The web console in a stack of its own: the main stack is close to CloudFormation's 500
 * resources, and the console only reads the API's id and the user pool from it.
 */
export class ConsoleStack extends Stack {
  readonly console: WebConsole;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    const { settings } = props;
    // Exports: the main stack cannot drop the API or the pool while the console uses them (both
    // keep their ids for the life of a deployment).
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    this.console = new WebConsole(this, "WebConsole", {
      api: props.api,
      userPool: props.userPool,
      domainPrefix:
        settings.consoleDomainPrefix ??
        defaultConsoleDomainPrefix(settings.stackName, this.account),
      buildFolder: props.buildFolder ?? currentConsoleBuild(),
    });
    new CfnOutput(this, "ConsoleUrl", {
      description: "The web console (sign in with a user of the pool)",
      value: this.console.url,
    });
    new CfnOutput(this, "ConsoleSignInDomain", {
      description: "Cognito managed login of the console",
      value: this.console.signInOrigin,
    });
    new CfnOutput(this, "ConsoleClientId", {
      description: "The console's public app client",
      value: this.console.client.userPoolClientId,
    });
  }
}
