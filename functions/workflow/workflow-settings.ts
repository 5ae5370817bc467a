export interface WorkflowSettings {
  /** How long the customer has to publish, from the moment instructions are recorded. */
  readonly validationTimeoutSeconds: number;
  /** Backoff bounds of the wait-and-check loop; the first check runs at once. */
  readonly checkMinSeconds: number;
  readonly checkMaxSeconds: number;
  /** Backoff bounds for polling the CA's validation decision and issuance. */
  readonly caPollMinSeconds: number;
  readonly caPollMaxSeconds: number;
  /** How long the CA may take to decide or issue before the order fails as CA_UNAVAILABLE. */
  readonly caDecisionTimeoutSeconds: number;
  /** Base URL of the API as customers reach it, used in mails. */
  readonly publicApiUrl: string;
  /** Submissions one tenant may make per minute; more answer 429. */
  readonly submissionsPerMinute: number;
  /** Shortest time between two customer checks (POST /checks) of one order. */
  readonly customerCheckIntervalSeconds: number;
}

export const DEFAULT_WORKFLOW_SETTINGS: WorkflowSettings = {
  validationTimeoutSeconds: 86_400,
  checkMinSeconds: 30,
  checkMaxSeconds: 3_600,
  caPollMinSeconds: 1,
  caPollMaxSeconds: 60,
  caDecisionTimeoutSeconds: 3_600,
  publicApiUrl: "http://127.0.0.1:3000",
  submissionsPerMinute: 600,
  customerCheckIntervalSeconds: 5,
};
