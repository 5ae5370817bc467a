import type { Clock } from "../domain/clock.ts";
import type { CertificateAuthority } from "../ports/certificate-authority.ts";
import type { DcvChecker } from "../ports/dcv-checker.ts";
import type { Mailer } from "../ports/mailer.ts";
import type { OrderStore } from "../ports/order-store.ts";
import type { CertificateVault } from "../vault/certificate-vault.ts";
import type { WorkflowSettings } from "./workflow-settings.ts";

/** Everything the workflow steps use; each host's composition module builds one. */
export interface WorkflowDependencies {
  readonly clock: Clock;
  readonly store: OrderStore;
  readonly vault: CertificateVault;
  readonly mailer: Mailer;
  readonly ca: CertificateAuthority;
  readonly dcv: DcvChecker;
  readonly settings: WorkflowSettings;
}
