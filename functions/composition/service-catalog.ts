import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { RouteDeclaration } from "../api/route-declaration.ts";
import type { DeployTaskDeclaration } from "../deploy/deploy-task-declaration.ts";
import type { ConsumerDeclaration } from "../events/consumer-declaration.ts";
import type { ScheduleDeclaration } from "../schedules/schedule-declaration.ts";
import type { StepDeclaration } from "../workflow/step-declaration.ts";

/** A declaration and the module it is exported from (repository-relative, for entry files). */
export interface Declared<Declaration> {
  readonly declaration: Declaration;
  readonly modulePath: string;
  /** The export holding the declaration: `step`, `route` or `schedule`. */
  readonly exportName: string;
}

export interface ServiceCatalog {
  readonly steps: readonly Declared<StepDeclaration>[];
  readonly routes: readonly Declared<RouteDeclaration>[];
  readonly schedules: readonly Declared<ScheduleDeclaration>[];
  readonly deployTasks: readonly Declared<DeployTaskDeclaration>[];
  readonly consumers: readonly Declared<ConsumerDeclaration>[];
}

/** Where each kind of declaration lives: one file per step, route or scheduled run. */
export const DECLARATION_FOLDERS = {
  step: "functions/workflow/steps",
  route: "functions/api/routes",
  schedule: "functions/schedules/runs",
  deployTask: "functions/deploy/tasks",
  consumer: "functions/events/consumers",
} as const;

type Kind = keyof typeof DECLARATION_FOLDERS;

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export class DeclarationMissing extends Error {
  override readonly name = "DeclarationMissing";
}

async function declarationsOf<Declaration>(
  root: string,
  kind: Kind,
): Promise<Declared<Declaration>[]> {
  const folder = DECLARATION_FOLDERS[kind];
  const absolute = `${root}${folder}`;
  if (!existsSync(absolute)) return [];
  const files = readdirSync(absolute)
    .filter((file) => file.endsWith(".ts"))
    .sort();
  const declared: Declared<Declaration>[] = [];
  for (const file of files) {
    const modulePath = `${folder}/${file}`;
    const module = (await import(`${absolute}/${file}`)) as Record<string, unknown>;
    const declaration = module[kind] as { kind?: unknown } | undefined;
    if (declaration?.kind !== kind) {
      throw new DeclarationMissing(
        `${modulePath} must export its ${kind} declaration as \`${kind}\` (made with declare${kind[0]?.toUpperCase()}${kind.slice(1)}).`,
      );
    }
    declared.push({ declaration: declaration as Declaration, modulePath, exportName: kind });
  }
  return declared;
}

/**
 * Every step, route and scheduled run the service declares, found in their folders: adding one
 * is adding its file. Hosts and the CDK app build everything from this; a Lambda function
 * imports only its own declaration (through its generated entry). `root` is the repository
 * (a test may point it at a fixture tree).
 */
export async function loadServiceCatalog(root: string = PROJECT_ROOT): Promise<ServiceCatalog> {
  const [steps, routes, schedules, deployTasks, consumers] = await Promise.all([
    declarationsOf<StepDeclaration>(root, "step"),
    declarationsOf<RouteDeclaration>(root, "route"),
    declarationsOf<ScheduleDeclaration>(root, "schedule"),
    declarationsOf<DeployTaskDeclaration>(root, "deployTask"),
    declarationsOf<ConsumerDeclaration>(root, "consumer"),
  ]);
  const names = new Map<string, string>();
  for (const { declaration, modulePath } of [
    ...steps.map((entry) => ({ ...entry, declaration: { name: entry.declaration.state } })),
    ...routes,
    ...schedules,
    ...deployTasks,
    ...consumers,
  ]) {
    const earlier = names.get(declaration.name);
    if (earlier !== undefined) {
      throw new DeclarationMissing(
        `${modulePath} declares ${declaration.name}, which ${earlier} declares already: function names must be unique.`,
      );
    }
    names.set(declaration.name, modulePath);
  }
  return { steps, routes, schedules, deployTasks, consumers };
}
