import { dirname } from "node:path";
import {
  ArnFormat,
  AssetHashType,
  DockerImage,
  type Duration,
  Stack,
  Validations,
} from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import {
  Architecture,
  type CfnFunction,
  Code,
  Function as LambdaFunction,
  Runtime,
} from "aws-cdk-lib/aws-lambda";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { CfnBucket } from "aws-cdk-lib/aws-s3";
import type { CfnStateMachine, StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import {
  type Needs,
  needsMasterSecret,
  resourcesBuiltFor,
  type VaultPrefix,
} from "../../functions/composition/needs.ts";
import { AWS_ENVIRONMENT } from "../../functions/lambda/aws-environment.ts";
import type { CaKind } from "../../functions/ports/certificate-authority.ts";
import { buildLambdaBundle, PROJECT_ROOT } from "./lambda-bundling.ts";
import { type LambdaEntry, writeLambdaEntry } from "./lambda-entries.ts";
import type { Storage } from "./storage.ts";

/** What a function gets unless its needs say otherwise. */
export const DEFAULT_MEMORY_MIB = 512;

/** Everything a function may be granted; each function takes only what its needs name. */
export interface ServiceResources {
  readonly storage: Storage;
  readonly logRetention: RetentionDays;
  /** Settings every function reads (timings, public URL, CA kind, Powertools). */
  readonly environment: Readonly<Record<string, string>>;
  readonly mail: {
    readonly senderAddress: string;
    readonly identityArns: readonly string[];
    readonly configurationSetName: string;
    readonly configurationSetArn: string;
    /** SES's sending rate the mail queue's senders share, and how many run at once. */
    readonly maxSendRate: number;
    readonly senders: number;
  };
  /** The mail queue every mail waits in for its sender (mail-queue.ts). */
  readonly mailQueue?: { readonly queueArn: string; readonly queueUrl: string };
  readonly ca: {
    readonly kind: CaKind;
    readonly environment: Readonly<Record<string, string>>;
    readonly eabSecretArn?: string;
    readonly delegationHostedZoneArn?: string;
  };
  /** The delivery queue webhook deliveries wait in (order-events.ts). */
  readonly deliveries?: { readonly queueArn: string; readonly queueUrl: string };
}

export const POWERTOOLS_SERVICE = "certflow";
export const METRICS_NAMESPACE = "certflow";

/** How a function is described in the console: `certflow <kind> <name>`, then the detail. */
export function functionDescription(handler: LambdaEntry, detail: string): string {
  return `certflow ${handler.kind} ${handler.name}: ${detail}`;
}

export interface ServiceFunctionProps {
  /** What the function does, after its kind and name. */
  readonly detail: string;
  /** The step, route or scheduled run the function serves; its name is the function's. */
  readonly handler: LambdaEntry;
  readonly resources: ServiceResources;
  readonly timeout: Duration;
  /** Concurrency reserved for the function; none when 0 or left out. */
  readonly reservedConcurrency?: number;
}

/**
 * One Lambda function of the service: Node 24 on ARM, bundled by the local esbuild from an
 * entry generated for its declaration, X-Ray tracing, its own log group, and a role holding
 * exactly the permissions its declared needs name.
 */
export class ServiceFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly needs: Needs;
  readonly #resources: ServiceResources;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { name } = props.handler;
    this.needs = props.handler.declared.declaration.needs;
    this.#resources = props.resources;
    const { storage } = props.resources;
    const built = new Set(resourcesBuiltFor(this.needs));

    this.logGroup = new LogGroup(this, "Logs", { retention: props.resources.logRetention });
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `certflow ${name}: only what this function uses`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const environment: Record<string, string> = { ...props.resources.environment };
    if (built.has("store")) environment[AWS_ENVIRONMENT.tableName] = storage.table.tableName;
    if (built.has("vault")) {
      environment[AWS_ENVIRONMENT.bucketName] = storage.bucket.bucketName;
      environment[AWS_ENVIRONMENT.kmsKeyId] = storage.key.keyArn;
      environment[AWS_ENVIRONMENT.masterSecretArn] = storage.masterSecret.secretArn;
    }
    if (built.has("mailer")) {
      const { mailQueue } = props.resources;
      if (mailQueue === undefined) {
        throw new Error(`${name} mails, and the stack made no mail queue before it.`);
      }
      environment[AWS_ENVIRONMENT.mailQueueUrl] = mailQueue.queueUrl;
    }
    if (built.has("mailDelivery")) {
      const { mail } = props.resources;
      environment[AWS_ENVIRONMENT.senderAddress] = mail.senderAddress;
      environment[AWS_ENVIRONMENT.mailConfigurationSet] = mail.configurationSetName;
      environment[AWS_ENVIRONMENT.sesMaxSendRate] = String(mail.maxSendRate);
      environment[AWS_ENVIRONMENT.mailSenders] = String(mail.senders);
    }
    if (built.has("ca")) Object.assign(environment, props.resources.ca.environment);
    if (built.has("caDirectory")) {
      // Only where the CA's directory is: no secret, no grant (it is read unauthenticated).
      const directoryUrl = props.resources.ca.environment[AWS_ENVIRONMENT.acmeDirectoryUrl];
      if (directoryUrl !== undefined) environment[AWS_ENVIRONMENT.acmeDirectoryUrl] = directoryUrl;
    }
    if (built.has("deliveryQueue")) {
      const { deliveries } = props.resources;
      if (deliveries === undefined) {
        throw new Error(`${name} needs the delivery queue, and the stack made none before it.`);
      }
      environment[AWS_ENVIRONMENT.deliveryQueueUrl] = deliveries.queueUrl;
    }

    const entry = writeLambdaEntry(props.handler, props.resources.ca.kind);
    this.function = new LambdaFunction(this, "Function", {
      description: functionDescription(props.handler, props.detail),
      // Bundled here by esbuild (NodejsFunction makes one file; the bundle is a main file and
      // the chunks it loads on first use). Hashed by what is built, not by the entry's folder.
      code: Code.fromAsset(dirname(`${PROJECT_ROOT}${entry}`), {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: DockerImage.fromRegistry("local-bundling-only"),
          local: {
            tryBundle(outputDir) {
              buildLambdaBundle(entry, outputDir);
              return true;
            },
          },
        },
      }),
      handler: "index.handler",
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: this.needs.memoryMiB ?? DEFAULT_MEMORY_MIB,
      timeout: props.timeout,
      ...(props.reservedConcurrency !== undefined && props.reservedConcurrency > 0
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      role: this.role,
      logGroup: this.logGroup,
      environment,
    });
    // Active X-Ray tracing, its permissions in the role's one policy: `tracing: Tracing.ACTIVE`
    // would attach them as a second policy per function (the createNewPoliciesWithAddToRolePolicy
    // flag), and the stack stays under CloudFormation's 500 resources.
    (this.function.node.defaultChild as CfnFunction).tracingConfig = { mode: "Active" };
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        resources: ["*"],
      }),
    );
    Validations.of(this).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords accept no resource but * (added by Lambda active tracing)." +
        (this.needs.workflow?.some((action) => action.startsWith("states:SendTask"))
          ? " states:SendTaskSuccess/SendTaskFailure accept no resource but * either: the task token names the execution."
          : ""),
    });
    this.#grant(this.needs);
  }

  #grant(needs: Needs): void {
    const { storage } = this.#resources;
    const add = (statement: PolicyStatement) => this.role.addToPolicy(statement);

    if (needs.table !== undefined) {
      const actions = ["dynamodb:GetItem", "dynamodb:Query"];
      if (needs.table === "write") actions.push("dynamodb:PutItem", "dynamodb:UpdateItem");
      add(new PolicyStatement({ actions, resources: [storage.table.tableArn] }));
      if ((needs.tableIndexes?.length ?? 0) > 0) {
        add(
          new PolicyStatement({
            actions: ["dynamodb:Query"],
            resources: (needs.tableIndexes ?? []).map(
              (index) => `${storage.table.tableArn}/index/${index}`,
            ),
          }),
        );
      }
    }

    const reads = new Set<VaultPrefix>(needs.vaultRead ?? []);
    const writes = new Set<VaultPrefix>(needs.vaultWrite ?? []);
    if (needs.ca === true) {
      reads.add("ca");
      writes.add("ca");
      // The embedded CA publishes its root certificate there (GET /v1/ca/root.pem reads it).
      reads.add("public");
      writes.add("public");
    }
    const objects = (prefixes: Set<VaultPrefix>) =>
      [...prefixes].sort().map((prefix) => storage.bucket.arnForObjects(`${prefix}/*`));
    const bucketId = Stack.of(this).getLogicalId(storage.bucket.node.defaultChild as CfnBucket);
    for (const prefix of new Set([...reads, ...writes])) {
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}/*]`,
        reason: `Objects of one vault folder (${prefix}/), named per order or per CA object: the function reads or writes whichever order it runs for.`,
      });
    }
    if (reads.size > 0) {
      add(new PolicyStatement({ actions: ["s3:GetObject"], resources: objects(reads) }));
      // Without ListBucket S3 answers 403 instead of 404 for an absent key, and the vault
      // could not tell "not written yet" from "not allowed".
      add(
        new PolicyStatement({ actions: ["s3:ListBucket"], resources: [storage.bucket.bucketArn] }),
      );
      add(new PolicyStatement({ actions: ["kms:Decrypt"], resources: [storage.key.keyArn] }));
    }
    if (writes.size > 0) {
      add(new PolicyStatement({ actions: ["s3:PutObject"], resources: objects(writes) }));
      add(
        new PolicyStatement({ actions: ["kms:GenerateDataKey"], resources: [storage.key.keyArn] }),
      );
    }
    if (needsMasterSecret(needs)) {
      add(
        new PolicyStatement({
          actions: ["secretsmanager:GetSecretValue"],
          resources: [storage.masterSecret.secretArn],
        }),
      );
      add(new PolicyStatement({ actions: ["kms:Decrypt"], resources: [storage.key.keyArn] }));
    }

    if (needs.deliveryQueue === true && this.#resources.deliveries !== undefined) {
      add(
        new PolicyStatement({
          actions: ["sqs:SendMessage"],
          resources: [this.#resources.deliveries.queueArn],
        }),
      );
    }

    if (needs.eventBus === true) {
      // The account's default bus only: no other bus, no rule, no archive.
      add(
        new PolicyStatement({
          actions: ["events:PutEvents"],
          resources: [
            Stack.of(this).formatArn({
              service: "events",
              resource: "event-bus",
              resourceName: "default",
            }),
          ],
        }),
      );
    }

    if (needs.mail === true && this.#resources.mailQueue !== undefined) {
      add(
        new PolicyStatement({
          actions: ["sqs:SendMessage"],
          resources: [this.#resources.mailQueue.queueArn],
        }),
      );
    }

    if (needs.mailDelivery === true) {
      const { identityArns, configurationSetArn } = this.#resources.mail;
      add(
        new PolicyStatement({
          actions: ["ses:SendEmail"],
          resources: [...identityArns, configurationSetArn],
        }),
      );
    }

    if (needs.ca === true) {
      const { eabSecretArn, delegationHostedZoneArn } = this.#resources.ca;
      if (eabSecretArn !== undefined) {
        add(
          new PolicyStatement({
            actions: ["secretsmanager:GetSecretValue"],
            resources: [eabSecretArn],
          }),
        );
      }
      if (delegationHostedZoneArn !== undefined) {
        add(
          new PolicyStatement({
            actions: ["route53:ListResourceRecordSets"],
            resources: [delegationHostedZoneArn],
          }),
        );
        // TXT records only, changed the way the adapter changes them (delete exactly, create).
        add(
          new PolicyStatement({
            actions: ["route53:ChangeResourceRecordSets"],
            resources: [delegationHostedZoneArn],
            conditions: {
              "ForAllValues:StringEquals": {
                "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
                "route53:ChangeResourceRecordSetsActions": ["CREATE", "DELETE"],
              },
            },
          }),
        );
        // Waiting for a record change to be INSYNC (functions/adapters/aws/route53-dns-zone.ts).
        const changes = Stack.of(this).formatArn({
          service: "route53",
          region: "",
          account: "",
          resource: "change",
          resourceName: "*",
        });
        add(new PolicyStatement({ actions: ["route53:GetChange"], resources: [changes] }));
        Validations.of(this).acknowledge({
          id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53:::change/*]",
          reason:
            "route53:GetChange only reads the status of a record change; change ids are made by Route 53 per request, so no narrower resource can be named.",
        });
      }
    }
  }

  /**
   * The Step Functions actions the function's needs name, on this state machine: starting
   * executions on the machine, reading and stopping them on its executions, answering task
   * tokens on * (the only resource those actions accept).
   */
  allowWorkflow(stateMachine: StateMachine): void {
    const actions = this.needs.workflow ?? [];
    if (actions.length === 0) return;
    const stack = Stack.of(this);
    const executions = stack.formatArn({
      service: "states",
      resource: "execution",
      resourceName: `${stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const onMachine = actions.filter((action) => action === "states:StartExecution");
    const onExecutions = actions.filter(
      (action) =>
        action === "states:StopExecution" ||
        action === "states:DescribeExecution" ||
        action === "states:GetExecutionHistory",
    );
    const onTokens = actions.filter((action) => action.startsWith("states:SendTask"));
    if (onMachine.length > 0) {
      this.role.addToPolicy(
        new PolicyStatement({ actions: onMachine, resources: [stateMachine.stateMachineArn] }),
      );
    }
    if (onExecutions.length > 0) {
      const machineId = stack.getLogicalId(stateMachine.node.defaultChild as CfnStateMachine);
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${machineId}.Name>:*]`,
        reason:
          "Executions of the order state machine only; each is named after its order, so the name part is open.",
      });
      this.role.addToPolicy(
        new PolicyStatement({ actions: onExecutions, resources: [executions] }),
      );
    }
    if (onTokens.length > 0) {
      this.role.addToPolicy(new PolicyStatement({ actions: onTokens, resources: ["*"] }));
    }
    // A step answering its own task token needs no ARN; naming the machine in a step's
    // environment would make the machine and its functions depend on each other.
    if (onMachine.length > 0 || onExecutions.length > 0) {
      this.function.addEnvironment(AWS_ENVIRONMENT.stateMachineArn, stateMachine.stateMachineArn);
    }
  }
}
