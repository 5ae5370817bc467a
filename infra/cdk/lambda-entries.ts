import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, posix } from "node:path";
import type { Needs, ResourceName } from "../../functions/composition/needs.ts";
import { resourcesBuiltFor } from "../../functions/composition/needs.ts";
import type { Declared } from "../../functions/composition/service-catalog.ts";
import type { CaKind } from "../../functions/ports/certificate-authority.ts";
import { PROJECT_ROOT } from "./lambda-bundling.ts";

/** Where entries are written (git-ignored): one folder per CA kind, one file per function. */
export const ENTRY_FOLDER = ".build/lambda-entries";

export type HandlerKind = "step" | "route" | "schedule" | "deployTask" | "consumer";

/** A module and the name it exports. */
interface ModuleExport {
  readonly module: string;
  readonly name: string;
}

/** The Lambda host of each kind of declaration (functions/lambda). */
const HOSTS: Readonly<Record<HandlerKind, ModuleExport>> = {
  step: { module: "functions/lambda/step-lambda.ts", name: "stepLambda" },
  route: { module: "functions/lambda/route-lambda.ts", name: "routeLambda" },
  schedule: { module: "functions/lambda/schedule-lambda.ts", name: "scheduleLambda" },
  deployTask: { module: "functions/lambda/deploy-task-lambda.ts", name: "deployTaskLambda" },
  consumer: { module: "functions/lambda/consumer-lambda.ts", name: "consumerLambda" },
};

/** How the AWS host builds each resource (functions/lambda/providers). */
const PROVIDERS: Readonly<Record<Exclude<ResourceName, "ca" | "caDirectory">, ModuleExport>> = {
  store: { module: "functions/lambda/providers/order-store.ts", name: "store" },
  vault: { module: "functions/lambda/providers/vault.ts", name: "vault" },
  mailer: { module: "functions/lambda/providers/mailer.ts", name: "mailer" },
  mailDelivery: { module: "functions/lambda/providers/mail-delivery.ts", name: "mailDelivery" },
  dcv: { module: "functions/lambda/providers/dcv.ts", name: "dcv" },
  installationChecker: {
    module: "functions/lambda/providers/installation-checker.ts",
    name: "installationChecker",
  },
  workflow: { module: "functions/lambda/providers/workflow-engine.ts", name: "workflow" },
  webhookClient: { module: "functions/lambda/providers/webhook-client.ts", name: "webhookClient" },
  deliveryQueue: { module: "functions/lambda/providers/delivery-queue.ts", name: "deliveryQueue" },
  eventBus: { module: "functions/lambda/providers/event-bus.ts", name: "eventBus" },
};

const CA_PROVIDERS: Readonly<Record<CaKind, ModuleExport>> = {
  embedded: { module: "functions/lambda/providers/embedded-ca.ts", name: "embedded" },
  acme: { module: "functions/lambda/providers/acme-ca.ts", name: "acme" },
};

/** What each kind of CA publishes about itself (functions/lambda/providers/ca-directory.ts). */
const CA_DIRECTORY_PROVIDERS: Readonly<Record<CaKind, ModuleExport>> = {
  embedded: { module: "functions/lambda/providers/ca-directory.ts", name: "embeddedDirectory" },
  acme: { module: "functions/lambda/providers/ca-directory.ts", name: "acmeDirectory" },
};

export interface LambdaEntry {
  readonly kind: HandlerKind;
  /** The function's name: the step's state, the route's or the schedule's name. */
  readonly name: string;
  readonly declared: Declared<{ readonly needs: Needs }>;
}

/**
 * The source of one function's entry: its declaration, its host, and the providers of exactly
 * the resources its needs name (the CA only of the deployment's kind). esbuild bundles it by
 * ordinary tree shaking, so the bundle holds this handler's code and nothing else.
 */
export function lambdaEntrySource(entry: LambdaEntry, caKind: CaKind): string {
  const from = `${ENTRY_FOLDER}/${caKind}`;
  const path = (module: string) => {
    const relativePath = posix.relative(from, module);
    return relativePath.startsWith(".") ? relativePath : `./${relativePath}`;
  };
  const host = HOSTS[entry.kind];
  const resources = resourcesBuiltFor(entry.declared.declaration.needs);
  const imports = [
    `import { ${entry.declared.exportName} } from "${path(entry.declared.modulePath)}";`,
    `import { ${host.name} } from "${path(host.module)}";`,
  ];
  const providers: string[] = [];
  for (const resource of resources) {
    if (resource === "ca" || resource === "caDirectory") continue;
    const provider = PROVIDERS[resource];
    imports.push(`import { ${provider.name} } from "${path(provider.module)}";`);
    providers.push(provider.name === resource ? resource : `${resource}: ${provider.name}`);
  }
  if (resources.includes("ca")) {
    const provider = CA_PROVIDERS[caKind];
    imports.push(`import { ${provider.name} } from "${path(provider.module)}";`);
    providers.push(`ca: { ${provider.name} }`);
  }
  if (resources.includes("caDirectory")) {
    const provider = CA_DIRECTORY_PROVIDERS[caKind];
    imports.push(`import { ${provider.name} } from "${path(provider.module)}";`);
    providers.push(`caDirectory: { ${caKind}: ${provider.name} }`);
  }
  return [
    `// Generated by infra/cdk/lambda-entries.ts: the Lambda entry of ${entry.name} (${entry.kind}, ${caKind} CA).`,
    ...imports,
    "",
    `export const handler = ${host.name}(${entry.declared.exportName}, ${providers.length === 0 ? "{}" : `{ ${providers.join(", ")} }`});`,
    "",
  ].join("\n");
}

/** Writes the entry (only when its text changed) and answers its repository-relative path. */
export function writeLambdaEntry(entry: LambdaEntry, caKind: CaKind): string {
  const path = `${ENTRY_FOLDER}/${caKind}/${entry.name}.ts`;
  const absolute = `${PROJECT_ROOT}${path}`;
  const source = lambdaEntrySource(entry, caKind);
  let current: string | undefined;
  try {
    current = readFileSync(absolute, "utf8");
  } catch {
    current = undefined;
  }
  if (current !== source) {
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, source);
  }
  return path;
}
