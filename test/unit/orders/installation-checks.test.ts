import { beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../../functions/domain/clock.ts";
import type { CertificateFacts } from "../../../functions/domain/installation-check.ts";
import {
  checkInstallation,
  currentCertificateHolder,
  earlierCertificateSerials,
} from "../../../functions/orders/installation-checks.ts";
import type { InstallationChecker } from "../../../functions/ports/installation-checker.ts";
import {
  factsOf,
  seedIssuedOrder,
  testHierarchy,
  testLeaf,
  WHILE_VALID,
} from "../../support/issued-order.ts";
import { routeTestDependencies } from "../../support/route-calls.ts";

let kit: {
  intermediatePem: string;
  first: { pem: string; facts: CertificateFacts };
  second: { pem: string; facts: CertificateFacts };
};

beforeAll(async () => {
  const { intermediate } = await testHierarchy();
  const first = await testLeaf(intermediate, ["shop.example.com"]);
  const second = await testLeaf(intermediate, ["shop.example.com"]);
  kit = {
    intermediatePem: intermediate.certificatePem,
    first: { pem: first.certificatePem, facts: factsOf(first.certificatePem) },
    second: { pem: second.certificatePem, facts: factsOf(second.certificatePem) },
  };
});

const never: InstallationChecker = { observe: () => new Promise(() => undefined) };

describe("checkInstallation", () => {
  it("answers TIMEOUT for a host whose observation does not come within the bound", async () => {
    const deps = routeTestDependencies(fixedClock(WHILE_VALID), { installationChecker: never });
    const order = await seedIssuedOrder(deps, {
      orderId: "ord_slow1",
      names: ["shop.example.com"],
      certificatePem: kit.first.pem,
      chainPems: [kit.intermediatePem],
    });
    const started = Date.now();

    const record = await checkInstallation({ ...deps, installationChecker: never }, order, {
      trigger: "api",
      timeBoundMs: 100,
    });

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(record.results).toEqual([
      {
        domain: "shop.example.com",
        host: "shop.example.com",
        ok: false,
        finding: "TIMEOUT",
        detail: expect.stringMatching(/^No TLS handshake with shop\.example\.com within/),
      },
    ]);
  });

  it("reads the current certificate where the lineage says it is held, judging the order's earlier one as old", async () => {
    // Prepare: the renewal ord_renewal1 issued the second certificate and holds it in the vault.
    const deps = routeTestDependencies(fixedClock(WHILE_VALID));
    await seedIssuedOrder(deps, {
      orderId: "ord_renewal1",
      names: ["shop.example.com"],
      certificatePem: kit.second.pem,
      chainPems: [kit.intermediatePem],
      overrides: { renewalOf: "ord_original1" },
    });
    const lineage = [kit.second, kit.first].map(({ facts }, index) => ({
      serialNumber: facts.serialNumber,
      notBefore: facts.notBefore,
      notAfter: facts.notAfter,
      sha256Fingerprint: facts.sha256Fingerprint,
      heldBy: index === 0 ? "ord_renewal1" : "ord_original1",
    }));
    const original = await seedIssuedOrder(deps, {
      orderId: "ord_original1",
      names: ["shop.example.com"],
      certificatePem: kit.first.pem,
      chainPems: [kit.intermediatePem],
      overrides: {
        certificate: {
          serialNumber: kit.second.facts.serialNumber,
          notBefore: kit.second.facts.notBefore,
          notAfter: kit.second.facts.notAfter,
          sha256Fingerprint: kit.second.facts.sha256Fingerprint,
          renewAt: kit.second.facts.notAfter,
        },
        certificates: lineage,
      },
    });
    const intermediate = factsOf(kit.intermediatePem);
    const checker: InstallationChecker = {
      observe: async () => ({ ok: true, served: [kit.first.facts, intermediate] }),
    };

    // Act
    const record = await checkInstallation({ ...deps, installationChecker: checker }, original, {
      trigger: "api",
      timeBoundMs: 1_000,
    });

    // Assess
    expect(currentCertificateHolder(original)).toBe("ord_renewal1");
    expect(record.certificateSerial).toBe(kit.second.facts.serialNumber);
    expect(record.results[0]?.finding).toBe("OLD_CERTIFICATE");
    // The renewal itself knows the renewed order's certificates as earlier ones.
    const renewal = await deps.store.get("ord_renewal1");
    if (renewal === undefined) throw new Error("renewal missing");
    expect(await earlierCertificateSerials(deps.store, renewal)).toEqual([
      kit.first.facts.serialNumber,
    ]);
  });

  it("does not take the certificates of another tenant's order as earlier ones", async () => {
    const deps = routeTestDependencies(fixedClock(WHILE_VALID));
    await seedIssuedOrder(deps, {
      orderId: "ord_foreign1",
      tenantId: "tenant-b",
      names: ["shop.example.com"],
      certificatePem: kit.first.pem,
      chainPems: [kit.intermediatePem],
    });
    const order = await seedIssuedOrder(deps, {
      orderId: "ord_mine1",
      names: ["shop.example.com"],
      certificatePem: kit.second.pem,
      chainPems: [kit.intermediatePem],
      overrides: { renewalOf: "ord_foreign1" },
    });

    expect(await earlierCertificateSerials(deps.store, order)).toEqual([]);
  });
});
