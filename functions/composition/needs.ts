import type { Clock } from "../domain/clock.ts";
import type { CaDirectory } from "../ports/ca-directory.ts";
import type { CaProfile, CertificateAuthority } from "../ports/certificate-authority.ts";
import type { DcvChecker } from "../ports/dcv-checker.ts";
import type { DeliveryQueue } from "../ports/delivery-queue.ts";
import type { EventBus } from "../ports/event-bus.ts";
import type { InstallationChecker } from "../ports/installation-checker.ts";
import type { Mailer } from "../ports/mailer.ts";
import type { OrderStore } from "../ports/order-store.ts";
import type { WebhookClient } from "../ports/webhook-client.ts";
import type { WorkflowEngine } from "../ports/workflow-engine.ts";
import type { CertificateVault } from "../vault/certificate-vault.ts";
import type { WorkflowSettings } from "../workflow/workflow-settings.ts";

/**
 * Top-level folders of the vault bucket (functions/vault/certificate-vault.ts). `public` holds
 * only what anyone may read (the embedded CA's root certificate).
 */
export type VaultPrefix =
  | "csrs"
  | "private-keys"
  | "certificates"
  | "ca"
  | "documents"
  | "public"
  | "webhook-secrets";

export type TableIndex = "ByTenant" | "ByRenewalDate" | "ByReviewQueue";

export type StepFunctionsAction =
  | "states:StartExecution"
  | "states:StopExecution"
  | "states:DescribeExecution"
  | "states:GetExecutionHistory"
  | "states:SendTaskSuccess"
  | "states:SendTaskFailure";

/**
 * What one step, route or scheduled handler touches. Its dependencies (locally and on AWS), its
 * Lambda function's entry and environment, and its IAM grants are all derived from this alone.
 */
export interface Needs {
  /** read: GetItem + Query; write adds PutItem and UpdateItem. */
  readonly table?: "read" | "write";
  readonly tableIndexes?: readonly TableIndex[];
  readonly vaultRead?: readonly VaultPrefix[];
  readonly vaultWrite?: readonly VaultPrefix[];
  /** Mails customers (on AWS through the mail queue, which the mail sender empties). */
  readonly mail?: true;
  /** Hands mails to SES itself: the mail queue's sender (locally, every mail goes this way). */
  readonly mailDelivery?: true;
  /** DNS and HTTP checks of what customers published (network only, no AWS permission). */
  readonly dcv?: true;
  /** TLS connections to customers' servers, to see what they serve (network only). */
  readonly installationCheck?: true;
  /**
   * Talks to the CA: its vault folder (and `public/`, where the embedded CA publishes its root),
   * the key master secret, the EAB secret, the zone.
   */
  readonly ca?: true;
  /**
   * Reads what the CA publishes about itself: the profiles it offers and certificates' renewal
   * windows (ACME `meta.profiles`, RFC 9773 `renewalInfo`). Network only, no AWS permission:
   * the ACME directory's URL (and, locally, the extra roots its HTTPS needs).
   */
  readonly caDirectory?: true;
  readonly workflow?: readonly StepFunctionsAction[];
  /** Connects to customers' webhook endpoints (network only, no AWS permission). */
  readonly webhooks?: true;
  /** Schedules webhook deliveries' attempts (the delivery queue). */
  readonly deliveryQueue?: true;
  /** Puts order events on EventBridge's default bus. */
  readonly eventBus?: true;
  readonly memoryMiB?: number;
}

/** What every handler gets, whatever it declares: none of it touches a resource. */
export interface BaseDependencies {
  readonly clock: Clock;
  readonly settings: WorkflowSettings;
  /** The deployment's CA, as far as a handler that does not talk to it may know. */
  readonly caProfile: CaProfile;
  readonly newOrderId: () => string;
  /** Non-secret facts about this deployment, shown at GET /v1/service-info. */
  readonly serviceInfo: Readonly<Record<string, string | number | undefined>>;
  /** Records unexpected errors for operators; never called with secrets. */
  readonly logError: (error: unknown) => void;
  /**
   * Random draws in [0, 1) (a renewal time inside the CA's window). Hosts always give it;
   * a set a test builds by hand may leave it out, and Math.random serves.
   */
  readonly random?: () => number;
}

/** Every resource a handler may be given; each handler is given only those its needs name. */
export interface Resources {
  readonly store: OrderStore;
  readonly vault: CertificateVault;
  readonly mailer: Mailer;
  readonly mailDelivery: Mailer;
  readonly dcv: DcvChecker;
  readonly installationChecker: InstallationChecker;
  readonly ca: CertificateAuthority;
  readonly caDirectory: CaDirectory;
  readonly workflow: WorkflowEngine;
  readonly webhookClient: WebhookClient;
  readonly deliveryQueue: DeliveryQueue;
  readonly eventBus: EventBus;
}

export type ResourceName = keyof Resources;

type NonEmpty<T> = readonly [T, ...T[]];

/** The dependencies a handler with these needs receives: a resource it did not declare is absent. */
export type DependenciesFor<N extends Needs> = BaseDependencies &
  (N extends { readonly table: "read" | "write" } ? Pick<Resources, "store"> : unknown) &
  (N extends
    | { readonly vaultRead: NonEmpty<VaultPrefix> }
    | { readonly vaultWrite: NonEmpty<VaultPrefix> }
    ? Pick<Resources, "vault">
    : unknown) &
  (N extends { readonly mail: true } ? Pick<Resources, "mailer"> : unknown) &
  (N extends { readonly mailDelivery: true } ? Pick<Resources, "mailDelivery"> : unknown) &
  (N extends { readonly dcv: true } ? Pick<Resources, "dcv"> : unknown) &
  (N extends { readonly installationCheck: true }
    ? Pick<Resources, "installationChecker">
    : unknown) &
  (N extends { readonly ca: true } ? Pick<Resources, "ca"> : unknown) &
  (N extends { readonly caDirectory: true } ? Pick<Resources, "caDirectory"> : unknown) &
  (N extends { readonly workflow: NonEmpty<StepFunctionsAction> }
    ? Pick<Resources, "workflow">
    : unknown) &
  (N extends { readonly webhooks: true } ? Pick<Resources, "webhookClient"> : unknown) &
  (N extends { readonly deliveryQueue: true } ? Pick<Resources, "deliveryQueue"> : unknown) &
  (N extends { readonly eventBus: true } ? Pick<Resources, "eventBus"> : unknown);

/**
 * Where a host's handlers get their dependencies. Declarations take it when they are bound, so
 * a handler's dependencies always come from its own needs, never from whatever a host passes.
 */
export interface DependencySource {
  dependenciesFor<N extends Needs>(needs: N): DependenciesFor<N>;
}

/**
 * Resources a set handed to every handler may leave out where no handler given the set uses
 * them: the installation checker, the CA's directory, and what webhooks and order events go
 * through.
 */
type OmissibleResource =
  | "mailDelivery"
  | "installationChecker"
  | "caDirectory"
  | "webhookClient"
  | "deliveryQueue"
  | "eventBus";

/** Everything, for hosts and tests that hand one set to every handler. */
export type AllDependencies = BaseDependencies &
  Omit<Resources, OmissibleResource> &
  Partial<Pick<Resources, OmissibleResource>>;

const nonEmpty = (list: readonly unknown[] | undefined) => (list?.length ?? 0) > 0;

/** The resources a handler uses directly: what its dependencies hold. */
export function resourcesNamedBy(needs: Needs): ResourceName[] {
  const names: ResourceName[] = [];
  if (needs.table !== undefined) names.push("store");
  if (nonEmpty(needs.vaultRead) || nonEmpty(needs.vaultWrite)) names.push("vault");
  if (needs.mail === true) names.push("mailer");
  if (needs.mailDelivery === true) names.push("mailDelivery");
  if (needs.dcv === true) names.push("dcv");
  if (needs.installationCheck === true) names.push("installationChecker");
  if (needs.ca === true) names.push("ca");
  if (needs.caDirectory === true) names.push("caDirectory");
  if (nonEmpty(needs.workflow)) names.push("workflow");
  if (needs.webhooks === true) names.push("webhookClient");
  if (needs.deliveryQueue === true) names.push("deliveryQueue");
  if (needs.eventBus === true) names.push("eventBus");
  return names;
}

/**
 * The resources a host must build for a handler: its own, and what they are built on (a CA
 * keeps its keys and orders in the vault, and the embedded CA runs the DCV checks itself).
 */
export function resourcesBuiltFor(needs: Needs): ResourceName[] {
  const names = new Set(resourcesNamedBy(needs));
  if (names.has("ca")) {
    names.add("vault");
    names.add("dcv");
  }
  return [...names];
}

/**
 * Whether the key master secret is needed: private keys and webhook signing secrets live
 * encrypted under derived passphrases.
 */
export function needsMasterSecret(needs: Needs): boolean {
  const prefixes = [...(needs.vaultRead ?? []), ...(needs.vaultWrite ?? [])];
  return (
    needs.ca === true || prefixes.includes("private-keys") || prefixes.includes("webhook-secrets")
  );
}
