import { Duration, NestedStack, Stack } from "aws-cdk-lib";
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
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { SCHEDULE_DIMENSION } from "../../functions/lambda/schedule-metrics.ts";
import { TRANSIENT_STATUS_AGE_METRIC } from "../../functions/lambda/transient-status-age.ts";
import type { RenewalRunCounts } from "../../functions/orders/renewal-run.ts";
import {
  CRL_TIME_LEFT,
  schedule as crlRefresh,
} from "../../functions/schedules/runs/refresh-crl.ts";
import { schedule as renewalRun } from "../../functions/schedules/runs/renew-due-certificates.ts";
import type { DeploymentSettings } from "./deployment-settings.ts";
import type { MailQueue } from "./mail-queue.ts";
import type { DeliveryQueue } from "./order-events.ts";
import { METRICS_NAMESPACE, POWERTOOLS_SERVICE, type ServiceFunction } from "./service-function.ts";

export interface OperationsProps {
  readonly stateMachine: StateMachine;
  readonly steps: ReadonlyMap<string, ServiceFunction>;
  readonly routes: ReadonlyMap<string, ServiceFunction>;
  /** The event consumers (functions/events/consumers). */
  readonly others?: ReadonlyMap<string, ServiceFunction>;
  /** The scheduled runs this deployment runs, by name (the renewal run, the CRL's refresh). */
  readonly scheduled?: ReadonlyMap<string, ServiceFunction>;
  /** The webhook delivery queue and its dead-letter queue (order-events.ts). */
  readonly deliveryQueue?: DeliveryQueue;
  /** The mail queue and its dead-letter queue (mail-queue.ts). */
  readonly mailQueue?: MailQueue;
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

/**
 * A number a scheduled run answered with (the renewal run's `failed`, the CRL refresh's
 * `nextUpdateInSeconds`), as the schedule's function publishes it (schedule-metrics.ts).
 */
export function scheduledRunMetric(
  schedule: string,
  name: string,
  statistic: string,
  period = Duration.hours(1),
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: POWERTOOLS_SERVICE, [SCHEDULE_DIMENSION]: schedule },
    statistic,
    period,
  });
}

/**
 * How long a daily run may be silent before its alarm goes off, in hourly periods: a day, the
 * scheduler's 15-minute window, and slack, so a run late by minutes is not taken for a missed one.
 */
export const MISSED_RUN_HOURS = 26;

/** The webhook delivery queue's oldest message, in seconds, past which deliveries back up. */
export const DELIVERY_BACKLOG_SECONDS = 3_600;

/**
 * The mail queue's oldest mail, in seconds, past which mail backs up: a day's renewal mails
 * drain in well under an hour at SES's default rate (README, "Scale").
 */
export const MAIL_BACKLOG_SECONDS = 3_600;

/** The renewal run's count of due orders it could not handle. */
const RENEWAL_FAILED: keyof RenewalRunCounts = "failed";

/**
 * Alarms to an SNS topic, and one dashboard, for everything an operator watches. They live in a
 * nested stack of their own: one or two alarms per function would take a quarter of the main
 * stack's 500 resources.
 */
export class Operations extends Construct {
  /** Where the topic, the alarms and the dashboard are. */
  readonly nestedStack: NestedStack;
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.nestedStack = new NestedStack(this, "Stack", {
      description: "certflow: alarms, their topic and the dashboard",
    });
    const within = this.nestedStack;
    this.topic = new Topic(within, "Alarms", {
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
      const created = new Alarm(within, id, alarmProps);
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

    const scheduled = props.scheduled ?? new Map<string, ServiceFunction>();
    const functions = new Map<string, ServiceFunction>([
      ...props.steps,
      ...props.routes,
      ...scheduled,
      ...(props.others ?? new Map()),
    ]);
    const errorsDescription = (name: string) =>
      props.steps.has(name)
        ? `Step ${name} failed repeatedly (steps also fail for expected reasons, e.g. a CA refusal, hence the threshold).`
        : props.routes.has(name)
          ? `Route ${name} crashed (routes answer caller mistakes themselves; an error here is a bug or an outage).`
          : scheduled.has(name)
            ? `The scheduled run ${name} ended in an error (its log names the cause); running it again redoes only what is still due.`
            : `Consumer ${name} ended in an error (its log names the cause): its batch is handed again, and what keeps failing lands in the dead-letter queue.`;
    for (const [name, fn] of functions) {
      const isStep = props.steps.has(name);
      alarm(`${name}Errors`, {
        alarmDescription: errorsDescription(name),
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
    // Certificates that must stay alive: the renewal run runs, and handles every due order.
    const renewal = scheduled.get(renewalRun.name);
    if (renewal !== undefined) {
      alarm("RenewalRunOrdersFailed", {
        alarmDescription: `The renewal run (${renewalRun.name}) could not handle some due orders (a store, CA or engine error; "${RENEWAL_FAILED}" in its result, each cause in its log). They stay due and the next run tries them again; once the cause is fixed, POST /v1/renewal-runs runs it now.`,
        metric: scheduledRunMetric(renewalRun.name, RENEWAL_FAILED, Stats.SUM),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm("RenewalRunMissed", {
        alarmDescription: `The daily renewal run (${renewalRun.name}, ${String(renewalRun.hourUtc).padStart(2, "0")}:00 UTC) has not been invoked for ${MISSED_RUN_HOURS} hours: due certificates are not being renewed. Check that its schedule is ENABLED and the scheduler may invoke the function, then POST /v1/renewal-runs. A new deployment is in this state until its first run.`,
        metric: renewal.function.metricInvocations({
          period: Duration.hours(1),
          statistic: Stats.SUM,
        }),
        threshold: 1,
        evaluationPeriods: MISSED_RUN_HOURS,
        datapointsToAlarm: MISSED_RUN_HOURS,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.BREACHING,
      });
    }
    // The embedded CA's CRL, re-signed daily: relying parties refuse certificates whose CRL lapsed.
    if (scheduled.has(crlRefresh.name)) {
      alarm("CrlStale", {
        alarmDescription: `The embedded CA's published CRL is past its nextUpdate, or ${crlRefresh.name} has not published one for ${MISSED_RUN_HOURS} hours (it runs daily; "${CRL_TIME_LEFT}" is the time the CRL it published has left). Clients that check revocation refuse the CA's certificates once the CRL lapses: look at ${crlRefresh.name}'s errors and log, and invoke it by hand once the cause is fixed.`,
        metric: scheduledRunMetric(crlRefresh.name, CRL_TIME_LEFT, Stats.MINIMUM),
        threshold: 0,
        evaluationPeriods: MISSED_RUN_HOURS,
        datapointsToAlarm: MISSED_RUN_HOURS,
        comparisonOperator: ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.BREACHING,
      });
    }
    /**
     * A consumer queue's two alarms: its oldest message waiting longer than `backlogSeconds`, and
     * anything in its dead letters. SQS stops reporting a queue nobody touched for six hours: the
     * dead-letter alarm keeps its state then.
     */
    const queueAlarms = (
      queues: { readonly queue: IQueue; readonly deadLetters: IQueue },
      backedUp: { readonly id: string; readonly description: string; readonly seconds: number },
      deadLetters: { readonly id: string; readonly description: string },
    ) => {
      alarm(backedUp.id, {
        alarmDescription: backedUp.description,
        metric: queues.queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(5),
          statistic: Stats.MAXIMUM,
        }),
        threshold: backedUp.seconds,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm(deadLetters.id, {
        alarmDescription: deadLetters.description,
        metric: queues.deadLetters.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: Stats.MAXIMUM,
        }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.IGNORE,
      });
    };
    const deliveries = props.deliveryQueue;
    if (deliveries !== undefined) {
      queueAlarms(
        deliveries,
        {
          id: "WebhookDeliveriesBackedUp",
          description: `The delivery queue's oldest message has waited more than ${DELIVERY_BACKLOG_SECONDS / 60} minutes (a message waits 15 at most before its attempt): DeliverWebhooks is not taking messages (throttled, failing, or its event source disabled).`,
          seconds: DELIVERY_BACKLOG_SECONDS,
        },
        {
          id: "DeadLetters",
          description:
            "The dead-letter queue holds messages (kept 14 days): delivery messages DeliverWebhooks failed on 5 times (a store or queue error; an endpoint that fails is retried by the delivery itself), or batches of order events PublishOrderEvents gave up on (those name a stream position: those events reached neither EventBridge nor webhooks). Fix the cause, then redrive to the delivery queue.",
        },
      );
    }
    const mails = props.mailQueue;
    if (mails !== undefined) {
      queueAlarms(
        mails,
        {
          id: "MailBackedUp",
          description: `The mail queue's oldest mail has waited more than ${MAIL_BACKLOG_SECONDS / 60} minutes: SendMails is not taking mails (throttled, failing, its event source disabled), or SES keeps throttling it (the account's sending rate is below certflow:sesMaxSendRate, or something else in the account sends too).`,
          seconds: MAIL_BACKLOG_SECONDS,
        },
        {
          id: "MailDeadLetters",
          description:
            "The mail dead-letter queue holds mails (kept 14 days): mails SES throttled or refused for the whole account (sending paused, MAIL FROM domain not verified, no configuration set) 5 times. SendMails' log names SES's error. Fix the cause, then redrive to the mail queue.",
        },
      );
    }

    alarm("Api5xx", {
      alarmDescription: "API Gateway answered 5xx (integration timeouts, crashes).",
      metric: props.api.metricServerError({ period: Duration.minutes(5), statistic: Stats.SUM }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.dashboard = new Dashboard(within, "Dashboard", {
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
    // What the alarms on certificates that must stay alive watch.
    const runs: GraphWidget[] = [];
    if (scheduled.size > 0) {
      runs.push(
        new GraphWidget({
          title: "Scheduled runs: invocations, errors, orders the renewal run failed",
          left: [
            ...byFunction((fn) => fn.function.metricInvocations(hourly), scheduled.keys()).map(
              (metric) => metric.with({ label: `${metric.label} invocations` }),
            ),
            ...byFunction((fn) => fn.function.metricErrors(hourly), scheduled.keys()).map(
              (metric) => metric.with({ label: `${metric.label} errors` }),
            ),
            ...(renewal === undefined
              ? []
              : [
                  scheduledRunMetric(renewalRun.name, RENEWAL_FAILED, Stats.SUM).with({
                    label: "renewal: orders failed",
                  }),
                ]),
          ],
          right: scheduled.has(crlRefresh.name)
            ? [
                scheduledRunMetric(crlRefresh.name, CRL_TIME_LEFT, Stats.MINIMUM).with({
                  label: "CRL: seconds left when published",
                }),
              ]
            : [],
          width: 12,
        }),
      );
    }
    if (deliveries !== undefined) {
      runs.push(
        new GraphWidget({
          title: "Webhook deliveries: oldest message (s), dead letters",
          left: [
            deliveries.queue
              .metricApproximateAgeOfOldestMessage({
                period: Duration.minutes(5),
                statistic: Stats.MAXIMUM,
              })
              .with({ label: "oldest message (s)" }),
          ],
          right: [
            deliveries.deadLetters
              .metricApproximateNumberOfMessagesVisible({
                period: Duration.minutes(5),
                statistic: Stats.MAXIMUM,
              })
              .with({ label: "dead letters" }),
          ],
          width: 12,
        }),
      );
    }
    if (mails !== undefined) {
      runs.push(
        new GraphWidget({
          title: "Mail queue: oldest mail (s), mails sent, dead letters",
          left: [
            mails.queue
              .metricApproximateAgeOfOldestMessage({
                period: Duration.minutes(5),
                statistic: Stats.MAXIMUM,
              })
              .with({ label: "oldest mail (s)" }),
          ],
          right: [
            mails.queue
              .metricNumberOfMessagesDeleted({ period: Duration.minutes(5), statistic: Stats.SUM })
              .with({ label: "mails handed to SES or dropped" }),
            mails.deadLetters
              .metricApproximateNumberOfMessagesVisible({
                period: Duration.minutes(5),
                statistic: Stats.MAXIMUM,
              })
              .with({ label: "dead letters" }),
          ],
          width: 12,
        }),
      );
    }
    if (runs.length > 0) this.dashboard.addWidgets(...runs);
  }
}
