import { Duration, Stack } from "aws-cdk-lib";
import type { RestApi } from "aws-cdk-lib/aws-apigateway";
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { TRANSIENT_STATUS_AGE_METRIC } from "../../functions/lambda/transient-status-age.ts";
import type { DeploymentSettings } from "./deployment-settings.ts";
import { METRICS_NAMESPACE, POWERTOOLS_SERVICE, type ServiceFunction } from "./service-function.ts";

export interface OperationsProps {
  readonly stateMachine: StateMachine;
  readonly steps: ReadonlyMap<string, ServiceFunction>;
  readonly routes: ReadonlyMap<string, ServiceFunction>;
  readonly others?: ReadonlyMap<string, ServiceFunction>;
  readonly api: RestApi;
  readonly key: Key;
  readonly settings: Pick<DeploymentSettings, "stuckAfterSeconds" | "alarmEmail">;
}

/** The age of the oldest order seen in one transient status, as the steps report it. */
export function transientStatusAge(status: string, period = Duration.hours(1)): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: TRANSIENT_STATUS_AGE_METRIC,
    dimensionsMap: { service: POWERTOOLS_SERVICE, Status: status },
    statistic: Stats.MAXIMUM,
    period,
  });
}

/** Alarms to an SNS topic, and one dashboard, for everything an operator watches. */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.topic = new Topic(this, "Alarms", {
      displayName: "certflow alarms",
      masterKey: props.key,
      enforceSSL: true,
    });
    // CloudWatch publishes to the encrypted topic on behalf of this account's alarms only.
    props.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: ["*"],
        conditions: { StringEquals: { "aws:SourceAccount": stack.account } },
      }),
    );
    if (props.settings.alarmEmail !== undefined) {
      this.topic.addSubscription(new EmailSubscription(props.settings.alarmEmail));
    }
    const action = new SnsAction(this.topic);
    const alarm = (id: string, alarmProps: ConstructorParameters<typeof Alarm>[2]) => {
      const created = new Alarm(this, id, alarmProps);
      created.addAlarmAction(action);
      this.alarms.push(created);
      return created;
    };

    const sm = props.stateMachine;
    alarm("ExecutionsFailed", {
      alarmDescription:
        "Order executions failed. Each failed order also fails its execution (customer-caused ones such as VALIDATION_TIMED_OUT too), so this watches a rate: look at the orders' failure codes.",
      metric: sm.metricFailed({ period: Duration.hours(1), statistic: Stats.SUM }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm("ExecutionsTimedOut", {
      alarmDescription:
        "An order execution hit the state machine's 10-day timeout: its order may be left in a transient status.",
      metric: sm.metricTimedOut({ period: Duration.minutes(5), statistic: Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    for (const [status, seconds] of Object.entries(props.settings.stuckAfterSeconds)) {
      alarm(`Stuck${status}`, {
        alarmDescription: `An order has been ${status} for more than ${Math.round(seconds / 60)} minutes (${TRANSIENT_STATUS_AGE_METRIC}; the orderId is in the step's log next to the metric).`,
        metric: transientStatusAge(status),
        threshold: seconds,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }

    const functions = new Map<string, ServiceFunction>([
      ...props.steps,
      ...props.routes,
      ...(props.others ?? new Map()),
    ]);
    for (const [name, fn] of functions) {
      const isStep = props.steps.has(name);
      alarm(`${name}Errors`, {
        alarmDescription: isStep
          ? `Step ${name} failed repeatedly (steps also fail for expected reasons, e.g. a CA refusal, hence the threshold).`
          : `Route ${name} crashed (routes answer caller mistakes themselves; an error here is a bug or an outage).`,
        metric: fn.function.metricErrors({
          period: Duration.minutes(isStep ? 15 : 5),
          statistic: Stats.SUM,
        }),
        threshold: isStep ? 5 : 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm(`${name}Throttles`, {
        alarmDescription: `Lambda throttled ${name}: the account's concurrency is exhausted.`,
        metric: fn.function.metricThrottles({ period: Duration.minutes(5), statistic: Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    alarm("Api5xx", {
      alarmDescription: "API Gateway answered 5xx (integration timeouts, crashes).",
      metric: props.api.metricServerError({ period: Duration.minutes(5), statistic: Stats.SUM }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.dashboard = new Dashboard(this, "Dashboard", {
      defaultInterval: Duration.days(1),
    });
    const hourly = { period: Duration.hours(1), statistic: Stats.SUM };
    const byFunction = (pick: (fn: ServiceFunction) => Metric, names: Iterable<string>) =>
      [...names].map((name) => {
        const fn = functions.get(name);
        if (fn === undefined) throw new Error(`No function ${name}.`);
        return pick(fn).with({ label: name });
      });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          "# certflow\nOne Step Functions execution per order: open the state machine in the console to follow an order.",
        width: 24,
        height: 2,
      }),
      new GraphWidget({
        title: "Order executions per hour",
        left: [
          sm.metricStarted(hourly).with({ label: "started" }),
          sm.metricSucceeded(hourly).with({ label: "issued" }),
          sm.metricFailed(hourly).with({ label: "failed" }),
          sm.metricTimedOut(hourly).with({ label: "timed out" }),
          sm.metricAborted(hourly).with({ label: "cancelled" }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: "Oldest order per transient status (seconds)",
        left: Object.keys(props.settings.stuckAfterSeconds).map((status) =>
          transientStatusAge(status).with({ label: status }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: "Step errors",
        left: byFunction(
          (fn) => fn.function.metricErrors({ period: Duration.minutes(15), statistic: Stats.SUM }),
          props.steps.keys(),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: "API: requests, 4xx, 5xx",
        left: [
          props.api.metricCount({ period: Duration.minutes(5), statistic: Stats.SUM }),
          props.api.metricClientError({ period: Duration.minutes(5), statistic: Stats.SUM }),
          props.api.metricServerError({ period: Duration.minutes(5), statistic: Stats.SUM }),
        ],
        right: [props.api.metricLatency({ period: Duration.minutes(5), statistic: "p95" })],
        width: 12,
      }),
      new GraphWidget({
        title: "Route duration p95 (ms)",
        left: byFunction(
          (fn) => fn.function.metricDuration({ period: Duration.minutes(5), statistic: "p95" }),
          props.routes.keys(),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: "Throttles (all functions)",
        left: byFunction(
          (fn) =>
            fn.function.metricThrottles({ period: Duration.minutes(5), statistic: Stats.SUM }),
          functions.keys(),
        ),
        width: 12,
      }),
    );
  }
}
