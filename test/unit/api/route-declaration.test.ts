import { describe, expect, it } from "vitest";
import { EmbeddedCertificateAuthority } from "../../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { createMemoryBlobStore } from "../../../functions/adapters/memory/memory-blob-store.ts";
import { createMemoryMailer } from "../../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../../functions/adapters/memory/memory-order-store.ts";
import type { Role } from "../../../functions/api/api-types.ts";
import type { AllDependencies } from "../../../functions/composition/needs.ts";
import { loadServiceCatalog } from "../../../functions/composition/service-catalog.ts";
import { fixedClock } from "../../../functions/domain/clock.ts";
import { caProfileOf } from "../../../functions/ports/certificate-authority.ts";
import { CertificateVault } from "../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../functions/vault/key-passphrases.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../functions/workflow/workflow-settings.ts";
import { callRoute } from "../../support/route-calls.ts";

const { routes } = await loadServiceCatalog();
const ROLES: readonly Role[] = ["customer", "operator"];

function dependencies(): AllDependencies {
  const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  const vault = new CertificateVault(
    createMemoryBlobStore(),
    derivedKeyPassphrases(new Uint8Array(32)),
  );
  const dcv = { check: async () => ({ ok: true as const }) };
  return {
    clock,
    store: createMemoryOrderStore(clock),
    vault,
    mailer: createMemoryMailer(),
    dcv,
    ca: new EmbeddedCertificateAuthority({ vault, dcv, clock }),
    workflow: {
      startExecution: async () => undefined,
      sendTaskSuccess: async () => undefined,
      stopExecution: async () => undefined,
      describeExecution: async () => undefined,
    },
    settings: DEFAULT_WORKFLOW_SETTINGS,
    caProfile: caProfileOf("embedded"),
    newOrderId: () => "ord_matrix1",
    serviceInfo: {},
    logError: () => undefined,
  };
}

/** A concrete path for a declared one: every parameter gets a well-formed value. */
function concretePath(path: string): string {
  return path
    .replace("{id}", "ord_missing")
    .replace("{name}", "ord_missing-1")
    .replace("{domain}", "shop.example.com");
}

describe("who may call each declared route", () => {
  it.each(routes.map(({ declaration }) => [declaration.name, declaration] as const))(
    "%s: refuses callers its access leaves out, and only those",
    async (_name, route) => {
      const path = concretePath(route.path);

      const anonymous = await callRoute(dependencies(), route.method, path, { tenant: null });
      const byRole = await Promise.all(
        ROLES.map((role) => callRoute(dependencies(), route.method, path, { role })),
      );

      expect(anonymous.status).toBe(route.access === "public" ? 200 : 401);
      for (const [index, role] of ROLES.entries()) {
        const allowed = route.access === "public" || route.access.includes(role);
        const status = byRole[index]?.status;
        if (allowed) expect([401, 403], `${role} may call ${route.name}`).not.toContain(status);
        else expect(status, `${role} may not call ${route.name}`).toBe(403);
      }
    },
  );
});
