import { SQSClient } from "@aws-sdk/client-sqs";
import { createSqsDeliveryQueue } from "../../adapters/aws/sqs-delivery-queue.ts";
import type { Clock } from "../../domain/clock.ts";
import type { DeliveryQueue } from "../../ports/delivery-queue.ts";
import { AWS_ENVIRONMENT, type Environment, requiredSetting } from "../aws-environment.ts";

export function deliveryQueue(env: Environment, clock: Clock): DeliveryQueue {
  return createSqsDeliveryQueue({
    client: new SQSClient({}),
    queueUrl: requiredSetting(env, AWS_ENVIRONMENT.deliveryQueueUrl),
    now: () => clock.now(),
  });
}
