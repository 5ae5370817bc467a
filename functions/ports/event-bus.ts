/** An event for EventBridge's default bus (on AWS); the local host logs it instead. */
export interface BusEvent {
  readonly source: string;
  readonly detailType: string;
  /** When it happened (ISO 8601). */
  readonly time: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface EventBus {
  publish(events: readonly BusEvent[]): Promise<void>;
}
