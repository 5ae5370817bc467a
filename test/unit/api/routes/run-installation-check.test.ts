import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { CertificateFacts } from "../../../../functions/domain/installation-check.ts";
import type {
  InstallationChecker,
  TlsObservation,
} from "../../../../functions/ports/installation-checker.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import {
  factsOf,
  seedIssuedOrder,
  testHierarchy,
  testLeaf,
  WHILE_VALID,
} from "../../../support/issued-order.ts";
import { callRoute, routeTestDependencies } from "../../../support/route-calls.ts";

const ORDER = "ord_installed1";
const PATH = `/v1/orders/${ORDER}/installation-check`;
const NAMES = ["shop.example.com", "*.shop.example.com", "www.example.net"];

let kit: {
  leaf: CertificateFacts;
  earlier: CertificateFacts;
  intermediate: CertificateFacts;
  leafPem: string;
  earlierSerial: string;
  intermediatePem: string;
};
let deps: AllDependencies & { clock: ReturnType<typeof fixedClock> };
/** What each host serves in the next check. */
let serving: Map<string, TlsObservation>;
let observed: string[];

beforeAll(async () => {
  const { intermediate } = await testHierarchy();
  const current = await testLeaf(intermediate, ["shop.example.com", "*.shop.example.com"]);
  const earlier = await testLeaf(intermediate, ["shop.example.com", "*.shop.example.com"]);
  kit = {
    leaf: factsOf(current.certificatePem),
    earlier: factsOf(earlier.certificatePem),
    intermediate: factsOf(intermediate.certificatePem),
    leafPem: current.certificatePem,
    earlierSerial: earlier.info.serialNumber,
    intermediatePem: intermediate.certificatePem,
  };
});

beforeEach(async () => {
  serving = new Map();
  observed = [];
  const checker: InstallationChecker = {
    async observe(host) {
      observed.push(host);
      return (
        serving.get(host) ?? {
          ok: false,
          cause: "CONNECTION_REFUSED",
          detail: `Connection refused by ${host} (port 443): no server is listening for HTTPS there.`,
        }
      );
    },
  };
  const clock = fixedClock(WHILE_VALID);
  deps = {
    ...routeTestDependencies(clock, {
      installationChecker: checker,
      settings: { ...DEFAULT_WORKFLOW_SETTINGS, customerCheckIntervalSeconds: 5 },
    }),
    clock,
  };
  await seedIssuedOrder(deps, {
    orderId: ORDER,
    names: NAMES,
    certificatePem: kit.leafPem,
    chainPems: [kit.intermediatePem],
  });
});

describe("POST /v1/orders/{id}/installation-check", () => {
  it("judges each name (a wildcard at its base name, each host once) and records the result", async () => {
    // Prepare: the base name serves the certificate with its chain; www.example.net nothing.
    serving.set("shop.example.com", { ok: true, served: [kit.leaf, kit.intermediate] });

    // Act
    const answer = await callRoute(deps, "POST", PATH);

    // Assess
    expect(answer.status).toBe(200);
    expect(observed.sort()).toEqual(["shop.example.com", "www.example.net"]);
    expect(answer.json).toMatchObject({
      id: ORDER,
      checkedAt: WHILE_VALID.toISOString(),
      certificateSerial: kit.leaf.serialNumber,
      allOk: false,
    });
    expect(answer.json.results).toEqual([
      {
        domain: "shop.example.com",
        host: "shop.example.com",
        ok: true,
        finding: "OK",
        detail: `shop.example.com serves this order's certificate (serial ${kit.leaf.serialNumber}) with its full chain.`,
        servedSerial: kit.leaf.serialNumber,
        servedChain: [
          { subject: kit.leaf.subject, serialNumber: kit.leaf.serialNumber },
          { subject: kit.intermediate.subject, serialNumber: kit.intermediate.serialNumber },
        ],
      },
      expect.objectContaining({
        domain: "*.shop.example.com",
        host: "shop.example.com",
        finding: "OK",
      }),
      {
        domain: "www.example.net",
        host: "www.example.net",
        ok: false,
        finding: "CONNECTION_REFUSED",
        detail:
          "Connection refused by www.example.net (port 443): no server is listening for HTTPS there.",
      },
    ]);
    const stored = await deps.store.get(ORDER);
    expect(stored?.installation).toEqual({
      checkedAt: WHILE_VALID.toISOString(),
      trigger: "api",
      certificateSerial: kit.leaf.serialNumber,
      results: answer.json.results,
    });
    const history = await deps.store.history(ORDER);
    expect(history.at(-1)).toEqual({
      at: WHILE_VALID.toISOString(),
      type: "installation",
      message:
        "Installation check: shop.example.com OK, *.shop.example.com OK, www.example.net CONNECTION_REFUSED.",
      by: { role: "customer", tenantId: "tenant-a" },
    });
    const view = await callRoute(deps, "GET", `/v1/orders/${ORDER}`);
    expect(view.json.installation).toEqual(stored?.installation);
  });

  it("says CHAIN_INCOMPLETE for the leaf alone, and OLD_CERTIFICATE for an earlier one of the lineage", async () => {
    // Prepare: the order was renewed; the base name still serves the earlier certificate.
    const order = await deps.store.get(ORDER);
    if (order === undefined) throw new Error("seeded order missing");
    await deps.store.update(order, {
      certificates: [
        {
          serialNumber: kit.leaf.serialNumber,
          notBefore: kit.leaf.notBefore,
          notAfter: kit.leaf.notAfter,
          sha256Fingerprint: kit.leaf.sha256Fingerprint,
          heldBy: ORDER,
          replaces: kit.earlierSerial,
        },
        {
          serialNumber: kit.earlierSerial,
          notBefore: kit.earlier.notBefore,
          notAfter: kit.earlier.notAfter,
          sha256Fingerprint: kit.earlier.sha256Fingerprint,
          heldBy: ORDER,
        },
      ],
    });
    serving.set("shop.example.com", { ok: true, served: [kit.earlier, kit.intermediate] });
    serving.set("www.example.net", { ok: true, served: [kit.leaf] });

    // Act
    const answer = await callRoute(deps, "POST", PATH);

    // Assess
    expect(answer.status).toBe(200);
    expect(
      answer.json.results.map((result: { finding: string; servedSerial: string }) => [
        result.finding,
        result.servedSerial,
      ]),
    ).toEqual([
      ["OLD_CERTIFICATE", kit.earlierSerial],
      ["OLD_CERTIFICATE", kit.earlierSerial],
      // The order's certificate does not cover www.example.net: it is served there anyway.
      ["NAME_MISMATCH", kit.leaf.serialNumber],
    ]);
  });

  it("answers 409 NOT_ISSUED for an order that is not issued, and checks nothing", async () => {
    const order = await deps.store.get(ORDER);
    if (order === undefined) throw new Error("seeded order missing");
    await deps.store.update(order, { status: "REVOKED" });

    const answer = await callRoute(deps, "POST", PATH);

    expect(answer.status).toBe(409);
    expect(answer.json.error.code).toBe("NOT_ISSUED");
    expect(observed).toEqual([]);
  });

  it("answers 404 to another tenant's customer, and serves operators", async () => {
    const other = await callRoute(deps, "POST", PATH, { tenant: "tenant-b" });
    expect(other.status).toBe(404);
    expect(observed).toEqual([]);

    const operator = await callRoute(deps, "POST", PATH, { tenant: "ops", role: "operator" });
    expect(operator.status).toBe(200);
    const history = await deps.store.history(ORDER);
    expect(history.at(-1)?.by).toEqual({ role: "operator", tenantId: "ops" });
  });

  it("answers 429 RATE_LIMITED with Retry-After within the check interval of the order", async () => {
    expect((await callRoute(deps, "POST", PATH)).status).toBe(200);

    const again = await callRoute(deps, "POST", PATH);

    expect(again.status).toBe(429);
    expect(again.json.error.code).toBe("RATE_LIMITED");
    expect(again.result.headers["retry-after"]).toBe("5");
    expect(observed).toHaveLength(2);
    deps.clock.advance(5);
    expect((await callRoute(deps, "POST", PATH)).status).toBe(200);
  });
});
