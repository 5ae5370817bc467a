import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import { Policy, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { InvocationType, Trigger } from "aws-cdk-lib/triggers";
import type { Construct } from "constructs";
import type { ServiceCatalog } from "../../functions/composition/service-catalog.ts";
import { AWS_ENVIRONMENT } from "../../functions/lambda/aws-environment.ts";
import { RENEWAL_BATCH_SIZE } from "../../functions/orders/renewal-run.ts";
import { schedule as renewalRun } from "../../functions/schedules/runs/renew-due-certificates.ts";
import { isScheduledIn } from "../../functions/schedules/schedule-declaration.ts";
import type { DeploymentSettings } from "./deployment-settings.ts";
import { Mail } from "./mail.ts";
import { MAIL_SENDERS, MailQueue } from "./mail-queue.ts";
import { Operations } from "./operations.ts";
import { CONSUMER_TIMEOUT, DeliveryQueue, OrderEventConsumers } from "./order-events.ts";
import { OrderWorkflow } from "./order-workflow.ts";
import { RenewalSchedule } from "./renewal-schedule.ts";
import { CertflowApi } from "./rest-api.ts";
import {
  METRICS_NAMESPACE,
  POWERTOOLS_SERVICE,
  ServiceFunction,
  type ServiceResources,
} from "./service-function.ts";
import { Storage } from "./storage.ts";

export interface CertflowStackProps extends StackProps {
  readonly settings: DeploymentSettings;
  /** Every declared step, route and scheduled run (functions/composition/service-catalog.ts). */
  readonly catalog: ServiceCatalog;
}

/** Log retention in days as CloudWatch accepts it (the next allowed value up). */
function retentionOf(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays)
    .filter((value): value is RetentionDays => typeof value === "number" && value > 0)
    .sort((a, b) => a - b);
  return allowed.find((value) => value >= days) ?? RetentionDays.INFINITE;
}

/** The whole service in one stack: storage, workflow, API, mail, renewal and operations. */
export class CertflowStack extends Stack {
  readonly storage: Storage;
  readonly workflow: OrderWorkflow;
  readonly api: CertflowApi;
  readonly operations: Operations;
  /** The consumers of order events and webhook deliveries (functions/events/consumers). */
  readonly orderEvents: OrderEventConsumers;
  /** The deploy tasks' functions, each run by a trigger after the deployment. */
  readonly deployTasks = new Map<string, ServiceFunction>();
  /** The scheduled runs this deployment runs (the CRL's always, renewal with its switch on). */
  readonly scheduled = new Map<string, { handler: ServiceFunction; schedule: RenewalSchedule }>();

  constructor(scope: Construct, id: string, props: CertflowStackProps) {
    super(scope, id, props);
    const { settings, catalog } = props;
    this.storage = new Storage(this, "Storage");
    const mail = new Mail(this, "Mail", { senderAddress: settings.senderAddress });

    const names = AWS_ENVIRONMENT;
    const caEnvironment: Record<string, string> = {
      [names.caaIdentity]: settings.caaIdentity,
      [names.crlValiditySeconds]: String(settings.crlValiditySeconds),
    };
    if (settings.crlBaseUrl !== undefined) caEnvironment[names.crlBaseUrl] = settings.crlBaseUrl;
    if (settings.acmeCaaIdentities !== undefined) {
      caEnvironment[names.acmeCaaIdentities] = settings.acmeCaaIdentities.join(",");
    }
    if (settings.acmeDirectoryUrl !== undefined) {
      caEnvironment[names.acmeDirectoryUrl] = settings.acmeDirectoryUrl;
      caEnvironment[names.acmeContactEmail] = settings.senderAddress;
    }
    if (settings.acmeEabSecretArn !== undefined) {
      caEnvironment[names.acmeEabSecretArn] = settings.acmeEabSecretArn;
    }
    if (settings.delegationZone !== undefined) {
      caEnvironment[names.dnsCnameZone] = settings.delegationZone.zoneName;
      caEnvironment[names.dnsCnameHostedZoneId] = settings.delegationZone.hostedZoneId;
    }

    // Functions need the API's URL (mail links); the API needs the route functions. The URL
    // is built from the RestApi id, which exists before any route is added.
    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: POWERTOOLS_SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: "INFO",
      POWERTOOLS_LOGGER_LOG_EVENT: "false",
      [names.ca]: settings.ca,
      [names.validationTimeoutSeconds]: String(settings.validationTimeoutSeconds),
      [names.caDecisionTimeoutSeconds]: String(settings.caDecisionTimeoutSeconds),
      [names.submissionsPerMinute]: String(settings.submissionsPerMinute),
      [names.customerCheckIntervalSeconds]: String(settings.customerCheckIntervalSeconds),
      [names.approvalResendIntervalSeconds]: String(settings.approvalResendIntervalSeconds),
      [names.reviewTimeoutSeconds]: String(settings.reviewTimeoutSeconds),
      [names.installationGraceSeconds]: String(settings.installationGraceSeconds),
    };
    const deliveryQueue = new DeliveryQueue(this, "Webhooks");
    const mailQueue = new MailQueue(this, "MailQueue", { senderTimeout: CONSUMER_TIMEOUT });
    const resources: ServiceResources = {
      deliveries: {
        queueArn: deliveryQueue.queue.queueArn,
        queueUrl: deliveryQueue.queue.queueUrl,
      },
      mailQueue: { queueArn: mailQueue.queue.queueArn, queueUrl: mailQueue.queue.queueUrl },
      storage: this.storage,
      logRetention: retentionOf(settings.logRetentionDays),
      environment,
      mail: {
        senderAddress: mail.senderAddress,
        identityArns: mail.identityArns,
        configurationSetName: mail.configurationSet.configurationSetName,
        configurationSetArn: mail.configurationSetArn,
        maxSendRate: settings.sesMaxSendRate,
        senders: MAIL_SENDERS,
      },
      ca: {
        kind: settings.ca,
        environment: caEnvironment,
        eabSecretArn: settings.acmeEabSecretArn,
        delegationHostedZoneArn:
          settings.delegationZone === undefined
            ? undefined
            : this.formatArn({
                service: "route53",
                region: "",
                account: "",
                resource: "hostedzone",
                resourceName: settings.delegationZone.hostedZoneId,
              }),
      },
    };

    this.api = new CertflowApi(this, "Api", {
      logRetention: resources.logRetention,
      throttle: {
        rateLimit: settings.apiThrottleRateLimit,
        burstLimit: settings.apiThrottleBurstLimit,
      },
    });
    environment[names.publicApiUrl] = this.api.publicUrl;
    this.api.addRoutes(resources, catalog.routes);
    this.workflow = new OrderWorkflow(this, "Workflow", {
      resources,
      steps: catalog.steps,
      reservedConcurrency: settings.workflowReservedConcurrency,
    });
    const stateMachine = this.workflow.stateMachine;
    for (const route of this.api.routes.values()) route.allowWorkflow(stateMachine);

    // Scheduled runs: those every deployment runs (the embedded CA's CRL refresh), and those
    // certflow:renewalSchedule switches on.
    if (
      settings.renewalSchedule &&
      !catalog.schedules.some(
        ({ declaration }) => (declaration.runs ?? "withRenewalSchedule") !== "always",
      )
    ) {
      throw new Error(
        "certflow:renewalSchedule=on needs a scheduled handler declared in functions/schedules/runs; none is yet.",
      );
    }
    for (const declared of catalog.schedules) {
      if (!isScheduledIn(declared.declaration, settings)) continue;
      const { name, description, hourUtc } = declared.declaration;
      const handler = new ServiceFunction(this, name, {
        detail: description,
        handler: { kind: "schedule", name, declared },
        resources,
        // Lambda's longest: a renewal run of thousands of due orders asks the CA and customers'
        // servers (windows, installation rechecks), each with its own time bound.
        timeout: Duration.minutes(15),
      });
      handler.allowWorkflow(stateMachine);
      if (name === renewalRun.name) {
        // The run hands each shard of the renewal index to an invocation of its own function
        // (README, "Scale"): its pace and batch are set here, and it may invoke itself. A policy
        // of its own, as the role's default policy cannot name the function that depends on it.
        handler.function.addEnvironment(
          names.renewalStartsPerSecond,
          String(settings.renewalStartsPerSecond),
        );
        handler.function.addEnvironment(names.renewalBatchSize, String(RENEWAL_BATCH_SIZE));
        new Policy(handler, "HandOff", {
          roles: [handler.role],
          statements: [
            new PolicyStatement({
              actions: ["lambda:InvokeFunction"],
              resources: [handler.function.functionArn],
            }),
          ],
        });
      }
      this.scheduled.set(name, {
        handler,
        schedule: new RenewalSchedule(this, `${name}Schedule`, {
          handler: handler.function,
          hourUtc,
          description: `certflow: ${description}`,
          source: name,
        }),
      });
    }

    // Work done once per deployment before orders arrive (the embedded CA's hierarchy): each
    // deploy task is its own function, run by a CDK trigger when it is created or changes.
    for (const declared of catalog.deployTasks) {
      const { name, description } = declared.declaration;
      const task = new ServiceFunction(this, name, {
        detail: description,
        handler: { kind: "deployTask", name, declared },
        resources,
        timeout: Duration.minutes(2),
      });
      this.deployTasks.set(name, task);
      new Trigger(this, `${name}Trigger`, {
        handler: task.function,
        timeout: Duration.minutes(3),
        invocationType: InvocationType.REQUEST_RESPONSE,
      });
    }

    // Order events to EventBridge and webhooks, from the table's stream and the delivery queue.
    this.orderEvents = new OrderEventConsumers(this, "OrderEvents", {
      resources,
      table: this.storage.table,
      deliveryQueue,
      mailQueue,
      consumers: catalog.consumers,
    });

    this.operations = new Operations(this, "Operations", {
      stateMachine,
      steps: this.workflow.steps,
      routes: this.api.routes,
      others: this.orderEvents.functions,
      scheduled: new Map([...this.scheduled].map(([name, { handler }]) => [name, handler])),
      deliveryQueue,
      mailQueue,
      api: this.api.api,
      key: this.storage.key,
      settings,
    });

    const consoleUrl = `https://console.aws.amazon.com/states/home?region=${this.region}#/statemachines/view/${stateMachine.stateMachineArn}`;
    new CfnOutput(this, "ApiUrl", {
      description: "Base URL of the REST API (routes start with /v1)",
      value: this.api.publicUrl,
    });
    new CfnOutput(this, "StateMachineArn", {
      description: "The order workflow: one execution per order",
      value: stateMachine.stateMachineArn,
    });
    new CfnOutput(this, "ExecutionsConsoleUrl", {
      description: "Where operators follow orders",
      value: consoleUrl,
    });
    new CfnOutput(this, "UserPoolId", { value: this.api.userPool.userPoolId });
    new CfnOutput(this, "UserPoolClientId", { value: this.api.clientId });
    new CfnOutput(this, "AlarmTopicArn", { value: this.operations.topic.topicArn });
    new CfnOutput(this, "DashboardName", { value: this.operations.dashboard.dashboardName });
  }
}
