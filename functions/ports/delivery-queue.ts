/**
 * Where deliveries wait for their next attempt: an SQS queue with delays on AWS, timers in the
 * local host's process. The delivery in the order store stays the truth (its state and when its
 * next attempt is due); a message only says "look at this delivery then".
 */
export interface DeliveryMessage {
  readonly tenantId: string;
  readonly endpointId: string;
  readonly deliveryId: string;
  /** When the attempt is due (ISO 8601); a message that arrives earlier waits again. */
  readonly dueAt: string;
}

export interface DeliveryQueue {
  schedule(messages: readonly DeliveryMessage[]): Promise<void>;
}
