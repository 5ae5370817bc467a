import { Duration, Stack, TimeZone, Validations } from "aws-cdk-lib";
import type { CfnFunction, IFunction } from "aws-cdk-lib/aws-lambda";
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import { Construct } from "constructs";

export interface RenewalScheduleProps {
  /** The renewal handler: queries the renewal index and starts one execution per due order. */
  readonly handler: IFunction;
  /** Hour of the day (UTC) the run starts; default 03:00. */
  readonly hourUtc?: number;
  /** What the schedule does; default the renewal run's. */
  readonly description?: string;
  /** The `source` of the event the handler gets; default `renewal-schedule`. */
  readonly source?: string;
}

/**
 * A daily EventBridge Scheduler schedule invoking a scheduled run's handler (the renewal run,
 * the CRL's refresh) with the scheduled time. Execution names are derived from the order, so a
 * renewal run that is retried, or overlaps the previous one, cannot start an order's renewal
 * twice; the CRL's refresh is safe to repeat.
 */
export class RenewalSchedule extends Construct {
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: RenewalScheduleProps) {
    super(scope, id);
    const hour = props.hourUtc ?? 3;
    if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
      throw new Error(`The renewal hour must be 0-23 (UTC), got ${hour}.`);
    }
    this.schedule = new Schedule(this, "Daily", {
      description: props.description ?? "certflow: start renewals of certificates that are due",
      schedule: ScheduleExpression.cron({
        minute: "0",
        hour: String(hour),
        timeZone: TimeZone.ETC_UTC,
      }),
      // Spread over a quarter of an hour: nothing depends on the exact minute.
      timeWindow: TimeWindow.flexible(Duration.minutes(15)),
      target: new LambdaInvoke(props.handler, {
        input: ScheduleTargetInput.fromObject({
          source: props.source ?? "renewal-schedule",
          scheduledTime: ContextAttribute.scheduledTime,
        }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
      }),
    });
    // The scheduler's role (one per stack, made by LambdaInvoke) may invoke the function and
    // its versions: `<function>:*` is the versions, not other functions.
    const stack = Stack.of(this);
    const functionId = stack.getLogicalId(props.handler.node.defaultChild as CfnFunction);
    Validations.of(stack).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason:
        "EventBridge Scheduler invokes the scheduled function; the :* suffix covers that function's versions and aliases only.",
    });
  }
}
