import { randomBytes } from "node:crypto";
import type { Clock } from "../domain/clock.ts";
import type { CaDirectory } from "../ports/ca-directory.ts";
import {
  type CaKind,
  type CertificateAuthority,
  caProfileOf,
} from "../ports/certificate-authority.ts";
import type { DcvChecker } from "../ports/dcv-checker.ts";
import type { CertificateVault } from "../vault/certificate-vault.ts";
import type { WorkflowSettings } from "../workflow/workflow-settings.ts";
import {
  type BaseDependencies,
  type DependenciesFor,
  type DependencySource,
  type Needs,
  type ResourceName,
  type Resources,
  resourcesNamedBy,
} from "./needs.ts";

export const systemClock: Clock = { now: () => new Date() };

/** Order ids: `ord_` and 80 random bits in hex. */
export function newOrderId(): string {
  return `ord_${randomBytes(10).toString("hex")}`;
}

/** What a CA adapter is built on. */
export interface CaParts {
  readonly vault: CertificateVault;
  readonly dcv: DcvChecker;
  readonly clock: Clock;
}

/**
 * How a host builds each resource. A host lists only what it can build: a Lambda function's
 * entry lists exactly what its handler needs (and, for the CA, only the deployment's kind).
 */
export interface Providers {
  readonly store?: () => Resources["store"];
  readonly vault?: () => Resources["vault"];
  readonly mailer?: () => Resources["mailer"];
  readonly mailDelivery?: () => Resources["mailDelivery"];
  readonly dcv?: () => Resources["dcv"];
  readonly installationChecker?: () => Resources["installationChecker"];
  readonly workflow?: () => Resources["workflow"];
  readonly webhookClient?: () => Resources["webhookClient"];
  readonly deliveryQueue?: () => Resources["deliveryQueue"];
  readonly eventBus?: () => Resources["eventBus"];
  readonly ca?: { readonly [Kind in CaKind]?: (parts: CaParts) => CertificateAuthority };
  /** What the CA publishes about itself, for the deployment's kind of CA. */
  readonly caDirectory?: { readonly [Kind in CaKind]?: () => CaDirectory };
}

export interface HostFacts {
  readonly caKind: CaKind;
  readonly settings: WorkflowSettings;
  readonly serviceInfo: BaseDependencies["serviceInfo"];
  readonly logError: BaseDependencies["logError"];
  readonly clock?: Clock;
  /** Random draws in [0, 1); Math.random when left out. */
  readonly random?: () => number;
}

export class ResourceNotProvided extends Error {
  override readonly name = "ResourceNotProvided";
}

export interface Composition extends DependencySource {
  readonly base: BaseDependencies;
  /** The dependencies of one handler: the base, and each resource its needs name, built once. */
  dependenciesFor<N extends Needs>(needs: N): DependenciesFor<N>;
  /** One resource, built on first use and shared by every handler of the host. */
  resource<Name extends ResourceName>(name: Name): Resources[Name];
}

/** The one composition both hosts use: the AWS host per function, the local host for all. */
export function compose(facts: HostFacts, providers: Providers): Composition {
  const clock = facts.clock ?? systemClock;
  const base: BaseDependencies = {
    clock,
    settings: facts.settings,
    caProfile: caProfileOf(facts.caKind),
    newOrderId,
    serviceInfo: facts.serviceInfo,
    logError: facts.logError,
    random: facts.random ?? Math.random,
  };
  const built = new Map<ResourceName, unknown>();
  const missing = (name: string) =>
    new ResourceNotProvided(
      `This host provides no ${name}: a handler using it must name it in its needs (and a Lambda function is built for one CA kind: deploy again after changing it).`,
    );

  const build = <Name extends ResourceName>(name: Name): Resources[Name] => {
    if (name === "ca") return certificateAuthority() as Resources[Name];
    if (name === "caDirectory") return caDirectory() as Resources[Name];
    const provider = providers[name as Exclude<ResourceName, "ca" | "caDirectory">];
    if (provider === undefined) throw missing(name);
    return provider() as Resources[Name];
  };
  const certificateAuthority = (): CertificateAuthority => {
    const provider = providers.ca?.[facts.caKind];
    if (provider === undefined) throw missing(`${facts.caKind} CA`);
    return provider({ vault: resource("vault"), dcv: resource("dcv"), clock });
  };
  const caDirectory = (): CaDirectory => {
    const provider = providers.caDirectory?.[facts.caKind];
    if (provider === undefined) throw missing(`${facts.caKind} CA directory`);
    return provider();
  };
  const resource = <Name extends ResourceName>(name: Name): Resources[Name] => {
    if (!built.has(name)) built.set(name, build(name));
    return built.get(name) as Resources[Name];
  };

  return {
    base,
    resource,
    dependenciesFor<N extends Needs>(needs: N): DependenciesFor<N> {
      const dependencies: Record<string, unknown> = { ...base };
      for (const name of resourcesNamedBy(needs)) dependencies[name] = resource(name);
      return dependencies as DependenciesFor<N>;
    },
  };
}
