import { beforeAll, describe, expect, it } from "vitest";
import type { MemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { CertificateFacts } from "../../../../functions/domain/installation-check.ts";
import type { InstallationChecker } from "../../../../functions/ports/installation-checker.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { runDeclaredStep } from "../../../support/declared-steps.ts";
import {
  factsOf,
  seedIssuedOrder,
  testHierarchy,
  testLeaf,
  WHILE_VALID,
} from "../../../support/issued-order.ts";
import { routeTestDependencies } from "../../../support/route-calls.ts";

const ORDER = "ord_issuedmail1";

let kit: {
  leafPem: string;
  intermediatePem: string;
  leaf: CertificateFacts;
  renewedPem: string;
  renewed: CertificateFacts;
};

beforeAll(async () => {
  const { intermediate } = await testHierarchy();
  const leaf = await testLeaf(intermediate, ["shop.example.com"]);
  const renewed = await testLeaf(intermediate, ["shop.example.com"]);
  kit = {
    leafPem: leaf.certificatePem,
    intermediatePem: intermediate.certificatePem,
    leaf: factsOf(leaf.certificatePem),
    renewedPem: renewed.certificatePem,
    renewed: factsOf(renewed.certificatePem),
  };
});

async function issuedOrder(checker: InstallationChecker, installationCheck: boolean) {
  const deps = routeTestDependencies(fixedClock(WHILE_VALID), { installationChecker: checker });
  await seedIssuedOrder(deps, {
    orderId: ORDER,
    names: ["shop.example.com"],
    certificatePem: kit.leafPem,
    chainPems: [kit.intermediatePem],
    overrides: installationCheck ? { installationCheck: true } : {},
  });
  return deps;
}

describe("SendIssuedMail", () => {
  it("mails, then checks the installation of an order that asked for it, and records the result", async () => {
    const hosts: string[] = [];
    const deps = await issuedOrder(
      {
        async observe(host) {
          hosts.push(host);
          return { ok: true, served: [kit.leaf] };
        },
      },
      true,
    );

    await runDeclaredStep(deps, "SendIssuedMail", { orderId: ORDER });

    expect((deps.mailer as MemoryMailer).sent).toHaveLength(1);
    expect(hosts).toEqual(["shop.example.com"]);
    const stored = await deps.store.get(ORDER);
    expect(stored?.installation).toMatchObject({
      trigger: "issuance",
      certificateSerial: kit.leaf.serialNumber,
      results: [{ domain: "shop.example.com", finding: "CHAIN_INCOMPLETE", ok: false }],
    });
    const history = await deps.store.history(ORDER);
    expect(history.at(-1)?.message).toBe(
      "Installation check after issuance: shop.example.com CHAIN_INCOMPLETE.",
    );
  });

  it("checks nothing for an order that did not ask", async () => {
    const hosts: string[] = [];
    const deps = await issuedOrder(
      {
        async observe(host) {
          hosts.push(host);
          return { ok: true, served: [] };
        },
      },
      false,
    );

    await runDeclaredStep(deps, "SendIssuedMail", { orderId: ORDER });

    expect(hosts).toEqual([]);
    expect((await deps.store.get(ORDER))?.installation).toBeUndefined();
  });

  it("records a check that cannot run instead of failing the step", async () => {
    const errors: unknown[] = [];
    const deps = await issuedOrder(
      {
        observe: async () => {
          throw new Error("checker broke");
        },
      },
      true,
    );

    await expect(
      runDeclaredStep({ ...deps, logError: (error) => errors.push(error) }, "SendIssuedMail", {
        orderId: ORDER,
      }),
    ).resolves.toEqual({});

    expect(errors).toHaveLength(1);
    const stored = await deps.store.get(ORDER);
    expect(stored?.installation).toEqual({
      checkedAt: WHILE_VALID.toISOString(),
      trigger: "issuance",
      results: [],
      notRun: `the service could not run it; run it again with POST /v1/orders/${ORDER}/installation-check.`,
    });
    const history = await deps.store.history(ORDER);
    expect(history.at(-1)?.message).toBe(
      `Installation check after issuance could not run: the service could not run it; run it again with POST /v1/orders/${ORDER}/installation-check.`,
    );
    expect((deps.mailer as MemoryMailer).sent).toHaveLength(1);
  });

  it("records a renewal's check on the order it renewed, which is looked at again after the grace when the old certificate is still served", async () => {
    // Prepare: the renewal issued and became its order's current certificate (MarkOrderIssued).
    const deps = routeTestDependencies(fixedClock(WHILE_VALID), {
      installationChecker: { observe: async () => ({ ok: true, served: [kit.leaf] }) },
      settings: { ...DEFAULT_WORKFLOW_SETTINGS, installationGraceSeconds: 3_600 },
    });
    const summary = (facts: CertificateFacts) => ({
      serialNumber: facts.serialNumber,
      notBefore: facts.notBefore,
      notAfter: facts.notAfter,
      sha256Fingerprint: facts.sha256Fingerprint,
    });
    await seedIssuedOrder(deps, {
      orderId: "ord_renewal2",
      names: ["shop.example.com"],
      certificatePem: kit.renewedPem,
      chainPems: [kit.intermediatePem],
      overrides: { renewalOf: ORDER, installationCheck: true },
    });
    await seedIssuedOrder(deps, {
      orderId: ORDER,
      names: ["shop.example.com"],
      certificatePem: kit.leafPem,
      chainPems: [kit.intermediatePem],
      overrides: {
        installationCheck: true,
        certificate: { ...summary(kit.renewed), renewAt: kit.renewed.notAfter },
        certificates: [
          { ...summary(kit.renewed), heldBy: "ord_renewal2", replaces: kit.leaf.serialNumber },
          { ...summary(kit.leaf), heldBy: ORDER },
        ],
      },
    });

    // Act
    await runDeclaredStep(deps, "SendIssuedMail", { orderId: "ord_renewal2" });

    // Assess
    const renewal = await deps.store.get("ord_renewal2");
    expect(renewal?.installation).toMatchObject({
      trigger: "issuance",
      results: [{ finding: "OLD_CERTIFICATE" }],
    });
    const renewed = await deps.store.get(ORDER);
    expect(renewed?.installation).toMatchObject({
      trigger: "renewal",
      certificateSerial: kit.renewed.serialNumber,
      results: [{ finding: "OLD_CERTIFICATE", servedSerial: kit.leaf.serialNumber }],
    });
    expect(renewed?.installationRecheckAt).toBe(
      new Date(WHILE_VALID.getTime() + 3_600_000).toISOString(),
    );
  });
});
