import type { Clock } from "../domain/clock.ts";
import type { CertificateAuthority } from "../ports/certificate-authority.ts";
import type { DcvChecker } from "../ports/dcv-checker.ts";
import type { OrderStore } from "../ports/order-store.ts";
import type { WorkflowEngine } from "../ports/workflow-engine.ts";
import type { CertificateVault } from "../vault/certificate-vault.ts";
import type { WorkflowSettings } from "../workflow/workflow-settings.ts";

export interface ApiDependencies {
  readonly clock: Clock;
  readonly store: OrderStore;
  readonly vault: CertificateVault;
  readonly workflow: WorkflowEngine;
  readonly dcv: DcvChecker;
  readonly ca: CertificateAuthority;
  readonly settings: WorkflowSettings;
  readonly newOrderId: () => string;
  /** Non-secret facts about this deployment, shown at GET /v1/service-info. */
  readonly serviceInfo: Readonly<Record<string, string | number | undefined>>;
  /** Records unexpected errors for operators; never called with secrets. */
  readonly logError: (error: unknown) => void;
}
