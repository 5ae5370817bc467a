import { EmbeddedCertificateAuthority } from "../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { embeddedCaDirectory } from "../../functions/adapters/embedded-ca/embedded-ca-directory.ts";
import { createMemoryBlobStore } from "../../functions/adapters/memory/memory-blob-store.ts";
import { createMemoryMailer } from "../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../functions/adapters/memory/memory-order-store.ts";
import type { ApiEvent, ApiResult } from "../../functions/api/api-types.ts";
import { errorResponse } from "../../functions/api/responses.ts";
import { matchRoute } from "../../functions/api/route-matching.ts";
import type { AllDependencies } from "../../functions/composition/needs.ts";
import { loadServiceCatalog } from "../../functions/composition/service-catalog.ts";
import type { Clock } from "../../functions/domain/clock.ts";
import { caProfileOf } from "../../functions/ports/certificate-authority.ts";
import { CertificateVault } from "../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../functions/vault/key-passphrases.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../functions/workflow/workflow-settings.ts";
import { everythingFrom } from "./declared-steps.ts";

const { routes } = await loadServiceCatalog();
const table = routes.map(({ declaration }) => ({
  method: declaration.method,
  path: declaration.path,
  declaration,
}));

export interface RouteCall {
  readonly body?: unknown;
  /** Sent as is instead of `body` (for bodies that are not JSON). */
  readonly rawBody?: string;
  /** Sent base64-encoded instead of `body`, as API Gateway passes binary media types. */
  readonly bytes?: Uint8Array;
  /** null: no principal at all. */
  readonly tenant?: string | null;
  readonly role?: string;
  readonly headers?: Record<string, string>;
}

export interface RouteAnswer {
  readonly status: number;
  readonly json: any;
  readonly result: ApiResult;
}

/**
 * Calls a declared route in-process as the hosts do (match, check the caller and body, run),
 * with one dependency set for every route; errors become the answers the hosts send.
 */
export async function callRoute(
  deps: AllDependencies,
  method: string,
  path: string,
  options: RouteCall = {},
): Promise<RouteAnswer> {
  const [pathname = "", query = ""] = path.split("?");
  const match = matchRoute(table, method, pathname);
  if (match === undefined || "allowed" in match) throw new Error(`no route ${method} ${path}`);
  const event: ApiEvent = {
    httpMethod: method,
    path: pathname,
    pathParameters: match.pathParameters,
    queryStringParameters: Object.fromEntries(new URLSearchParams(query)),
    headers: options.headers ?? {},
    body:
      options.bytes === undefined
        ? (options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body)))
        : Buffer.from(options.bytes).toString("base64"),
    isBase64Encoded: options.bytes !== undefined,
    requestContext: {
      authorizer:
        options.tenant === null
          ? null
          : { tenantId: options.tenant ?? "tenant-a", role: options.role ?? "customer" },
    },
  };
  const result = await match.route.declaration
    .bind(everythingFrom(deps))(event)
    .catch((error: unknown) => errorResponse(error, () => undefined));
  return {
    status: result.statusCode,
    json: result.headers["content-type"]?.includes("json") ? JSON.parse(result.body) : undefined,
    result,
  };
}

/**
 * A full dependency set for route tests on `clock`: memory store, vault and mailer, the embedded
 * CA, DNS checks that pass, an engine that does nothing; `overrides` replace any part.
 */
export function routeTestDependencies(
  clock: Clock,
  overrides: Partial<AllDependencies> = {},
): AllDependencies {
  const vault = new CertificateVault(
    createMemoryBlobStore(),
    derivedKeyPassphrases(new Uint8Array(32)),
  );
  const dcv = { check: async () => ({ ok: true as const }) };
  return {
    clock,
    store: createMemoryOrderStore(clock),
    vault,
    workflow: {
      startExecution: async () => undefined,
      sendTaskSuccess: async () => undefined,
      sendTaskFailure: async () => undefined,
      stopExecution: async () => undefined,
      describeExecution: async () => undefined,
    },
    dcv,
    ca: new EmbeddedCertificateAuthority({ vault, dcv, clock }),
    caDirectory: embeddedCaDirectory,
    caProfile: caProfileOf("embedded"),
    mailer: createMemoryMailer(),
    settings: DEFAULT_WORKFLOW_SETTINGS,
    newOrderId: () => "ord_test1",
    serviceInfo: {},
    logError: () => undefined,
    ...overrides,
  };
}
