import { describe, expect, it } from "vitest";
import { EmbeddedCertificateAuthority } from "../../../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import { createMemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { updateOrder } from "../../../../functions/orders/order-updates.ts";
import { caProfileOf } from "../../../../functions/ports/certificate-authority.ts";
import type { DcvChecker } from "../../../../functions/ports/dcv-checker.ts";
import { TaskNotWaiting } from "../../../../functions/ports/workflow-engine.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { pendingValidation, sampleOrder } from "../../../support/order-store-contract.ts";
import { callRoute } from "../../../support/route-calls.ts";

const NAMES = ["shop.example.com", "www.shop.example.com"];

/** An order waiting for validation of two names, with `dcv` as the checks' DNS. */
async function waitingOrder(dcv: (deps: AllDependencies) => DcvChecker) {
  const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  const store = createMemoryOrderStore(clock);
  const unused = () => Promise.reject(new Error("not used by the checks route"));
  const unusedDcv: DcvChecker = { check: unused };
  const vault = new CertificateVault(
    createMemoryBlobStore(),
    derivedKeyPassphrases(new Uint8Array(32)),
  );
  const deps: AllDependencies = {
    clock,
    store,
    vault,
    workflow: {
      startExecution: unused,
      sendTaskSuccess: async () => undefined,
      sendTaskFailure: async () => undefined,
      stopExecution: unused,
      describeExecution: unused,
    },
    dcv: { check: (publication) => dcv(deps).check(publication) },
    ca: new EmbeddedCertificateAuthority({ vault, dcv: unusedDcv, clock }),
    caProfile: caProfileOf("embedded"),
    mailer: createMemoryMailer(),
    settings: DEFAULT_WORKFLOW_SETTINGS,
    newOrderId: () => "ord_unused",
    serviceInfo: {},
    logError: () => undefined,
  };
  const record = sampleOrder({
    orderId: "ord_checks1",
    names: NAMES.map((name) => ({ ascii: name, display: name, wildcard: false })),
  });
  await store.create(record, { at: record.createdAt, type: "note", message: "seeded" });
  await updateOrder(store, record.orderId, () => ({
    changes: { status: "PENDING_VALIDATION", validations: NAMES.map(pendingValidation) },
  }));
  return deps;
}

describe("POST /v1/orders/{id}/checks against newer results", () => {
  it("keeps a name the CA validated while the checks ran, and stores the others' results", async () => {
    // Prepare: while the DNS answers, the workflow records the CA's decision for the first name.
    const deps = await waitingOrder((deps) => ({
      async check(publication) {
        await updateOrder(deps.store, "ord_checks1", (order) => ({
          changes: {
            validations: order.validations.map((validation) =>
              validation.domain === NAMES[0] ? { ...validation, status: "valid" } : validation,
            ),
          },
        }));
        return publication.kind === "dns-txt" && publication.host.includes("www.")
          ? { ok: false, cause: "NO_RECORD", detail: "No TXT record yet." }
          : { ok: true };
      },
    }));

    // Act
    const answer = await callRoute(deps, "POST", "/v1/orders/ord_checks1/checks");

    // Assess
    expect(answer.status).toBe(200);
    const stored = await deps.store.get("ord_checks1");
    expect(stored?.validations.map((validation) => [validation.domain, validation.status])).toEqual(
      [
        ["shop.example.com", "valid"],
        ["www.shop.example.com", "pending"],
      ],
    );
    expect(stored?.validations[1]?.lastCheck).toMatchObject({ ok: false, cause: "NO_RECORD" });
    expect(answer.json.results).toEqual([
      { domain: "shop.example.com", ok: true },
      {
        domain: "www.shop.example.com",
        ok: false,
        cause: "NO_RECORD",
        detail: "No TXT record yet.",
      },
    ]);
  });

  it("wakes the waiting task with done, and says so", async () => {
    const deps = await waitingOrder(() => ({ check: async () => ({ ok: true }) }));
    await updateOrder(deps.store, "ord_checks1", () => ({ changes: { waitToken: "token-7" } }));
    const woken: [string, Record<string, unknown>][] = [];
    const withWake = {
      ...deps,
      workflow: {
        ...deps.workflow,
        sendTaskSuccess: async (token: string, output: Record<string, unknown>) => {
          woken.push([token, output]);
        },
      },
    };

    const answer = await callRoute(withWake, "POST", "/v1/orders/ord_checks1/checks");

    expect(answer.json).toMatchObject({ allPublished: true, resumed: true });
    expect(woken).toEqual([["token-7", { done: true, reason: "customer check passed" }]]);
  });

  it("answers resumed: false when no task waits on the token, and fails on any other error", async () => {
    for (const [failure, status] of [
      [new TaskNotWaiting("gone"), 200],
      [new Error("ThrottlingException"), 500],
    ] as const) {
      const deps = await waitingOrder(() => ({ check: async () => ({ ok: true }) }));
      await updateOrder(deps.store, "ord_checks1", () => ({ changes: { waitToken: "token-7" } }));
      const failing = {
        ...deps,
        workflow: {
          ...deps.workflow,
          sendTaskSuccess: async () => {
            throw failure;
          },
        },
      };

      const answer = await callRoute(failing, "POST", "/v1/orders/ord_checks1/checks");

      expect(answer.status).toBe(status);
      if (status === 200) expect(answer.json).toMatchObject({ allPublished: true, resumed: false });
    }
  });
});

describe("POST /v1/orders/{id}/checks with the zone's authoritative servers", () => {
  it("shows per name what each server answered, and the order view shows the same", async () => {
    // Prepare: the first name's record is on ns1 and not yet on ns2.
    const servers = [
      { name: "ns1.example.net", address: "192.0.2.1", found: true, answered: true },
      {
        name: "ns2.example.net",
        address: "192.0.2.2",
        found: false,
        answered: true,
        detail: "No TXT record at _acme-challenge.shop.example.com.",
      },
    ];
    const detail =
      "Published on ns1.example.net (192.0.2.1), not yet on ns2.example.net (192.0.2.2).";
    const deps = await waitingOrder(() => ({
      check: async (publication) =>
        publication.kind === "dns-txt" && !publication.host.includes("www.")
          ? { ok: false, cause: "NOT_PROPAGATED", detail, servers }
          : { ok: true },
    }));

    // Act
    const answer = await callRoute(deps, "POST", "/v1/orders/ord_checks1/checks");
    const view = await callRoute(deps, "GET", "/v1/orders/ord_checks1");

    // Assess
    expect(answer.json.results[0]).toEqual({
      domain: "shop.example.com",
      ok: false,
      cause: "NOT_PROPAGATED",
      detail,
      servers,
    });
    expect(view.json.validations[0].lastCheck).toMatchObject({
      ok: false,
      cause: "NOT_PROPAGATED",
      detail,
      servers,
    });
  });
});
