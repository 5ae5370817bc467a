import { type CheckCadence, DEFAULT_CHECK_CADENCE } from "../domain/check-cadence.ts";

export interface WorkflowSettings {
  /** How long the customer has to publish, from the moment instructions are recorded. */
  readonly validationTimeoutSeconds: number;
  /** How often the wait loop looks for what the customer published; the first check runs at once. */
  readonly checkCadence: CheckCadence;
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
  /** Shortest time between two resends of an order's approval mails. */
  readonly approvalResendIntervalSeconds: number;
  /** How long an OV/EV organization review may take, from submission, before the order fails. */
  readonly reviewTimeoutSeconds: number;
  /**
   * After a renewal whose installation check found a name still serving an earlier certificate,
   * how long the customer has to install the new one before the service looks again and, if the
   * old one is still served, tells them.
   */
  readonly installationGraceSeconds: number;
  /**
   * Pauses before each retry of a failed webhook delivery; Standard Webhooks' schedule (5 s,
   * 5 min, 30 min, 2 h, 5 h, 10 h, then the end of the 24 h window) when absent.
   */
  readonly webhookRetryDelaysSeconds?: readonly number[];
  /** Renewals the renewal run starts per second, all its workers together (README, "Scale"). */
  readonly renewalStartsPerSecond?: number;
  /** Due orders the renewal run reads from its index at a time. */
  readonly renewalBatchSize?: number;
  /** Mails SES takes per second from the whole service: the mail queue's senders share it. */
  readonly sesMaxSendRate?: number;
  /** Senders of the mail queue running at once at most; each paces at the rate divided by them. */
  readonly mailSenders?: number;
}

export const DEFAULT_WORKFLOW_SETTINGS: WorkflowSettings = {
  validationTimeoutSeconds: 86_400,
  checkCadence: DEFAULT_CHECK_CADENCE,
  caPollMinSeconds: 1,
  caPollMaxSeconds: 60,
  caDecisionTimeoutSeconds: 3_600,
  publicApiUrl: "http://127.0.0.1:3000",
  submissionsPerMinute: 600,
  customerCheckIntervalSeconds: 5,
  approvalResendIntervalSeconds: 300,
  reviewTimeoutSeconds: 7 * 86_400,
  installationGraceSeconds: 3 * 86_400,
};
