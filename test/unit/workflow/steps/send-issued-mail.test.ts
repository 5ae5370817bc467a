import { beforeAll, describe, expect, it } from "vitest";
import type { MemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { CertificateFacts } from "../../../../functions/domain/installation-check.ts";
import type { InstallationChecker } from "../../../../functions/ports/installation-checker.ts";
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

let kit: { leafPem: string; intermediatePem: string; leaf: CertificateFacts };

beforeAll(async () => {
  const { intermediate } = await testHierarchy();
  const leaf = await testLeaf(intermediate, ["shop.example.com"]);
  kit = {
    leafPem: leaf.certificatePem,
    intermediatePem: intermediate.certificatePem,
    leaf: factsOf(leaf.certificatePem),
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
});
