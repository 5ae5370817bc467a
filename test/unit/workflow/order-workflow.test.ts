import { describe, expect, it } from "vitest";
import { EmbeddedCertificateAuthority } from "../../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { embeddedCaDirectory } from "../../../functions/adapters/embedded-ca/embedded-ca-directory.ts";
import { createMemoryBlobStore } from "../../../functions/adapters/memory/memory-blob-store.ts";
import { createMemoryMailer } from "../../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../functions/domain/clock.ts";
import type { OrderRecord } from "../../../functions/domain/order-record.ts";
import type { BlobStore } from "../../../functions/ports/blob-store.ts";
import {
  CaUnavailable,
  type CertificateAuthority,
  caProfileOf,
  type PlacedOrder,
} from "../../../functions/ports/certificate-authority.ts";
import type { CheckOutcome, DcvChecker } from "../../../functions/ports/dcv-checker.ts";
import type { OrderStore } from "../../../functions/ports/order-store.ts";
import { CertificateVault } from "../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../functions/vault/key-passphrases.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../functions/workflow/workflow-settings.ts";
import {
  createLocalWorkflowEngine,
  deferredEngine,
} from "../../../infra/local/local-workflow-engine.ts";
import { readOrderDefinition, taskStateBindings } from "../../../statemachines/order-definition.ts";
import { runDeclaredStep, type StepDependencies } from "../../support/declared-steps.ts";
import { sampleOrder } from "../../support/order-store-contract.ts";

const HOUR = 3600;
const definition = readOrderDefinition();
const noRetryWaits = Object.fromEntries(
  Object.entries(definition.States as Record<string, { Retry?: unknown }>)
    .filter(([, state]) => state.Retry !== undefined)
    .map(([name]) => [name, 0]),
);

/** The real state machine and steps, with in-memory storage and simulated time: no network. */
function harness(
  options: {
    publishedAfterSeconds?: number;
    ca?: (deps: StepDependencies) => CertificateAuthority;
    mailFails?: boolean;
    /** What the steps see of the store and the blobs, e.g. with injected faults. */
    stepStore?: (store: OrderStore) => OrderStore;
    stepBlobs?: (blobs: BlobStore) => BlobStore;
  } = {},
) {
  const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  const started = clock.now().getTime();
  const store = createMemoryOrderStore(clock);
  const blobs = createMemoryBlobStore();
  const stepStore = options.stepStore?.(store) ?? store;
  const stepBlobs = options.stepBlobs?.(blobs) ?? blobs;
  const mailer = createMemoryMailer();
  const vault = new CertificateVault(blobs, derivedKeyPassphrases(new Uint8Array(32).fill(7)));
  const dcv: DcvChecker = {
    async check(): Promise<CheckOutcome> {
      const elapsed = (clock.now().getTime() - started) / 1000;
      return options.publishedAfterSeconds !== undefined && elapsed >= options.publishedAfterSeconds
        ? { ok: true }
        : { ok: false, cause: "NO_RECORD", detail: "No TXT record yet." };
    },
  };
  const base = {
    clock,
    store: stepStore,
    vault: new CertificateVault(stepBlobs, derivedKeyPassphrases(new Uint8Array(32).fill(7))),
    mailer,
    dcv,
    settings: DEFAULT_WORKFLOW_SETTINGS,
    caProfile: caProfileOf("embedded"),
    newOrderId: () => "ord_unused",
    serviceInfo: {},
    logError: () => undefined,
  };
  const deps: StepDependencies = {
    ...base,
    mailer: options.mailFails
      ? {
          async send() {
            throw new TypeError("mail relay exploded with secret=hunter2");
          },
        }
      : mailer,
    ca: new EmbeddedCertificateAuthority({ vault, dcv, clock }),
    caDirectory: embeddedCaDirectory,
  };
  const workflowDeps: StepDependencies = {
    ...deps,
    ca: options.ca === undefined ? deps.ca : options.ca(deps),
    workflow: deferredEngine(() => engine),
  };
  const taskHandlers = Object.fromEntries(
    taskStateBindings(definition).map((binding) => [
      binding.stateName,
      (input: unknown) => runDeclaredStep(workflowDeps, binding.stateName, input),
    ]),
  );
  const engine = createLocalWorkflowEngine({
    definition,
    taskHandlers,
    retryIntervalOverrides: noRetryWaits,
    timeMode: { kind: "simulated", advance: (seconds) => clock.advance(seconds) },
  });
  async function run(order: Partial<OrderRecord> = {}) {
    const orderId = `ord_${Math.random().toString(36).slice(2, 10)}`;
    const now = clock.now().toISOString();
    const record: OrderRecord = { ...newRecord(orderId, now), ...order };
    await store.create(record, {
      at: now,
      type: "status",
      status: "SUBMITTED",
      message: "submitted",
    });
    await engine.startExecution(`${orderId}-1`, { orderId });
    const execution = await engine.waitForExecution(`${orderId}-1`);
    return {
      execution,
      order: await store.get(orderId),
      history: await store.history(orderId),
      orderId,
    };
  }
  function newRecord(orderId: string, now: string): OrderRecord {
    const times = { createdAt: now, updatedAt: now };
    return sampleOrder({ orderId, validityDays: 100, ...times, executionName: `${orderId}-1` });
  }

  const steps = {
    async seed() {
      const orderId = `ord_${Math.random().toString(36).slice(2, 10)}`;
      const now = clock.now().toISOString();
      await store.create(newRecord(orderId, now), {
        at: now,
        type: "status",
        status: "SUBMITTED",
        message: "submitted",
      });
      return orderId;
    },
    run: (state: string, input: unknown) => runDeclaredStep(workflowDeps, state, input),
  };
  return { run, mailer, blobs, clock, store, engine, steps };
}

type PlaceOrderInput = Parameters<CertificateAuthority["placeOrder"]>[0];

/** The harness's embedded CA, except that placing an order answers as `placeOrder` says. */
function placingOrders(
  placeOrder: (real: CertificateAuthority, input: PlaceOrderInput) => Promise<PlacedOrder>,
  realCa: (deps: StepDependencies) => CertificateAuthority = (deps) => deps.ca,
): (deps: StepDependencies) => CertificateAuthority {
  return (deps) => {
    const real = realCa(deps);
    return {
      kind: real.kind,
      audience: real.audience,
      placeOrder: (input) => placeOrder(real, input),
      changeMethod: (ref, input) => real.changeMethod(ref, input),
      requestValidation: (ref, attested) => real.requestValidation(ref, attested),
      validationProgress: (ref) => real.validationProgress(ref),
      finalize: (ref, csr, days, identity) => real.finalize(ref, csr, days, identity),
      certificateProgress: (ref) => real.certificateProgress(ref),
      revoke: (request) => real.revoke(request),
      caaIdentity: (tenantId) => real.caaIdentity(tenantId),
      rootCertificatePem: () => real.rootCertificatePem(),
      abandon: (ref) => real.abandon(ref),
    };
  };
}

/** The harness's embedded CA, except that its first `failures` finalizes fail before reaching it. */
function finalizeFailingFirst(failures: number): (deps: StepDependencies) => CertificateAuthority {
  return (deps) => {
    const real = deps.ca;
    let failed = 0;
    return {
      ...placingOrders((ca, input) => ca.placeOrder(input))(deps),
      async finalize(ref, csr, days, identity) {
        if (failed < failures) {
          failed++;
          throw new CaUnavailable("connect ECONNRESET 127.0.0.1:14000");
        }
        return real.finalize(ref, csr, days, identity);
      },
    };
  };
}

describe("the order workflow (real ASL, in-memory adapters, simulated time)", () => {
  it("issues when the record is there at the first check, in 15 transitions", async () => {
    const { run, mailer, blobs } = harness({ publishedAfterSeconds: 0 });
    const { execution, order, history } = await run();
    expect(execution.status).toBe("SUCCEEDED");
    expect(execution.transitions).toBe(15);
    expect(order?.status).toBe("ISSUED");
    expect(order?.certificate?.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect(
      history.filter((event) => event.status !== undefined).map((event) => event.status),
    ).toEqual(["SUBMITTED", "PENDING_VALIDATION", "ISSUING", "ISSUED"]);
    expect(mailer.sent.map((mail) => mail.subject)).toEqual([
      "Action needed: publish the validation for shop.example.com",
      "Certificate issued for shop.example.com",
    ]);
    expect(mailer.sent[0]?.text).toContain("_certflow-challenge.shop.example.com");
    const storedKey = new TextDecoder().decode(
      await blobs.get(`private-keys/${order?.orderId}.key.pem`),
    );
    expect(storedKey).toContain("BEGIN ENCRYPTED PRIVATE KEY");
    expect(JSON.stringify(execution.events)).not.toMatch(/PRIVATE KEY/);
  });

  it("checks every 15 minutes, then in turns ending at the 90 % mark, and issues when the customer publishes after 6 hours", async () => {
    const { run, clock, mailer } = harness({ publishedAfterSeconds: 6 * HOUR });
    const startedAt = clock.now().getTime();
    const { execution, order, history } = await run();
    expect(order?.status).toBe("ISSUED");
    const checks = history.filter((event) => event.type === "check");
    // After the hour, 20.6 h up to the 90 % mark in 11 turns of 6742 s.
    expect(checks.map((check) => (Date.parse(check.at) - startedAt) / 1000)).toEqual([
      0, 900, 1800, 2700, 3600, 10_342, 17_084, 23_826,
    ]);
    // Published before half the validation time: no reminder.
    expect(mailer.sent.map((mail) => mail.subject)).not.toContainEqual(
      expect.stringMatching(/^Reminder/),
    );
    const elapsedHours = (clock.now().getTime() - startedAt) / 3_600_000;
    expect(elapsedHours).toBeGreaterThanOrEqual(6);
    expect(elapsedHours).toBeLessThan(7);
    // One state per turn; the cadence change at the hour adds the Choice and a parked turn.
    expect(execution.transitions).toBe(15 + (checks.length - 1) + 2);
    const turns = execution.events.filter(
      (event) => event.type === "StateEntered" && event.stateName === "WaitForCustomerToPublish",
    );
    expect(turns).toHaveLength(checks.length + 1);
  });

  it("fails as VALIDATION_TIMED_OUT after 24 hours, mails the failure and ends the execution", async () => {
    const { run, mailer, clock } = harness();
    const startedAt = clock.now().getTime();
    const { execution, order, history } = await run();
    expect(execution.status).toBe("FAILED");
    expect(order?.status).toBe("FAILED");
    expect(order?.failure?.code).toBe("VALIDATION_TIMED_OUT");
    expect(order?.failure?.message).toContain("shop.example.com: NO_RECORD");
    expect((clock.now().getTime() - startedAt) / 1000).toBe(24 * HOUR);
    expect(mailer.sent.at(-1)?.subject).toBe("Order failed: shop.example.com");
    // 18 checks (5 in the first hour, 11 up to the 90 % mark, 2 after it, the last at the
    // deadline) and 30 states: the turn length changes at the hour and at the 90 % mark.
    expect(history.filter((event) => event.type === "check")).toHaveLength(18);
    expect(execution.transitions).toBe(30);
    // A reminder at the first check after half the time (12.2 h) and at the 90 % mark.
    const reminders = history.filter((event) => event.message.startsWith("Reminder sent"));
    expect(reminders.map((event) => (Date.parse(event.at) - startedAt) / 1000)).toEqual([
      44_052, 77_762,
    ]);
    expect(mailer.sent.map((mail) => mail.subject)).toEqual([
      "Action needed: publish the validation for shop.example.com",
      "Reminder: publish the records for shop.example.com (12 h left)",
      "Reminder: publish the records for shop.example.com (2 h 23 min left)",
      "Order failed: shop.example.com",
    ]);
    expect(order?.validationReminders).toEqual([50, 90]);
  });

  /** As an ACME CA reusing authorizations: the names are valid before the order is placed. */
  const alreadyValidatedByCa = () =>
    placingOrders(async (real, input) => {
      const placed = await real.placeOrder(input);
      await real.requestValidation(placed.caOrderRef);
      expect(await real.validationProgress(placed.caOrderRef)).toEqual({ state: "valid" });
      return { ...placed, alreadyValid: true };
    });

  it("goes straight to finalize when this tenant proved the names and the CA holds them valid", async () => {
    // Prepare: the tenant proved the name earlier.
    const reusing = harness({ publishedAfterSeconds: 0, ca: alreadyValidatedByCa() });
    await reusing.store.recordProvenNames(
      "tenant-a",
      ["shop.example.com"],
      "2027-06-01T00:00:00.000Z",
    );

    // Act
    const { execution, order } = await reusing.run();

    // Assess
    expect(order?.status, JSON.stringify(order?.failure)).toBe("ISSUED");
    const entered = execution.events
      .filter((event) => event.type === "StateEntered")
      .map((event) => event.stateName);
    expect(entered).toContain("FinalizeWithCsr");
    for (const skipped of [
      "SendValidationInstructions",
      "WaitForCustomerToPublish",
      "AskCaToValidate",
    ]) {
      expect(entered).not.toContain(skipped);
    }
    expect(reusing.mailer.sent.map((mail) => mail.subject)).toEqual([
      "Certificate issued for shop.example.com",
    ]);
  });

  it("records the names a tenant proved through the CA, reusable for the reuse period", async () => {
    // Prepare
    const { run, store, clock } = harness({ publishedAfterSeconds: 0 });

    // Act
    const { order } = await run({ tenantId: "tenant-p" });
    const proven = await store.provenNames(
      "tenant-p",
      ["shop.example.com"],
      clock.now().toISOString(),
    );
    const expired = await store.provenNames(
      "tenant-p",
      ["shop.example.com"],
      "2027-07-29T08:00:01.000Z",
    );
    const elsewhere = await store.provenNames(
      "tenant-q",
      ["shop.example.com"],
      clock.now().toISOString(),
    );

    // Assess: 200 days from 2027-01-10 (BR 1.2.2 before 2027-03-15).
    expect(order?.status).toBe("ISSUED");
    expect([...proven]).toEqual(["shop.example.com"]);
    expect(expired.size).toBe(0);
    expect(elsewhere.size).toBe(0);
  });

  it("never issues to a tenant for names the CA holds valid from someone else's proof", async () => {
    // Prepare: the CA holds the name validated from another account's proof (one EAB key, one
    // organisation at the CA) and would issue; this tenant never publishes anything.
    const validatedElsewhere = placingOrders(
      async (real, input) => {
        const placed = await real.placeOrder(input);
        await real.requestValidation(placed.caOrderRef);
        return { ...placed, alreadyValid: true };
      },
      (deps) =>
        new EmbeddedCertificateAuthority({
          vault: deps.vault,
          dcv: { check: async () => ({ ok: true }) },
          clock: deps.clock,
        }),
    );
    const { run, mailer } = harness({ ca: validatedElsewhere });

    // Act
    const { execution, order } = await run({ tenantId: "tenant-b" });

    // Assess
    expect(order?.status).toBe("FAILED");
    expect(order?.failure?.code).toBe("VALIDATION_TIMED_OUT");
    expect(order?.certificate).toBeUndefined();
    const entered = execution.events
      .filter((event) => event.type === "StateEntered")
      .map((event) => event.stateName);
    expect(entered).toContain("SendValidationInstructions");
    expect(entered).not.toContain("FinalizeWithCsr");
    expect(mailer.sent[0]?.text).toContain("_certflow-challenge.shop.example.com");
  });

  it("asks the customer to publish only for the names the CA holds and the tenant proved", async () => {
    // Prepare: the CA reused a valid authorization for one of the two names.
    const partly = harness({
      publishedAfterSeconds: 0,
      ca: placingOrders(async (real, input) => {
        const placed = await real.placeOrder(input);
        return {
          ...placed,
          challenges: placed.challenges.map((challenge) =>
            challenge.domain === "shop.example.com"
              ? { ...challenge, alreadyValidated: true }
              : challenge,
          ),
        };
      }),
    });
    await partly.store.recordProvenNames(
      "tenant-a",
      ["shop.example.com"],
      "2027-06-01T00:00:00.000Z",
    );

    // Act
    const { order, history } = await partly.run({
      names: [
        { ascii: "shop.example.com", display: "shop.example.com", wildcard: false },
        { ascii: "www.shop.example.com", display: "www.shop.example.com", wildcard: false },
      ],
    });

    // Assess
    expect(order?.status, JSON.stringify(order?.failure)).toBe("ISSUED");
    expect(history.find((event) => event.status === "PENDING_VALIDATION")?.message).toContain(
      "waiting for 1 of 2 name(s)",
    );
    const instructions = partly.mailer.sent[0]?.text ?? "";
    expect(instructions).toContain(
      "shop.example.com: already validated by the CA; nothing to publish.",
    );
    expect(instructions).toContain("_certflow-challenge.www.shop.example.com");
    expect(instructions).not.toContain("_certflow-challenge.shop.example.com");
    // Only the name proven in this order is recorded anew; the earlier proof is not extended.
    const afterEarlierProof = await partly.store.provenNames(
      "tenant-a",
      ["shop.example.com", "www.shop.example.com"],
      "2027-06-02T00:00:00.000Z",
    );
    expect([...afterEarlierProof]).toEqual(["www.shop.example.com"]);
  });

  it("retries DynamoDB throttling and S3 5xx answers inside steps, and the order issues", async () => {
    // Prepare: the first two order updates are throttled, the first two blob writes fail 503.
    let throttled = 0;
    let failedPuts = 0;
    const { run } = harness({
      publishedAfterSeconds: 0,
      stepStore: (store) => ({
        ...store,
        async update(...args) {
          if (throttled < 2) {
            throttled += 1;
            throw Object.assign(new Error("Rate of requests exceeds the allowed throughput."), {
              name: "ThrottlingException",
              $metadata: { httpStatusCode: 400 },
            });
          }
          return store.update(...args);
        },
      }),
      stepBlobs: (blobs) => ({
        ...blobs,
        async put(...args) {
          if (failedPuts < 2) {
            failedPuts += 1;
            throw Object.assign(new Error("We encountered an internal error."), {
              name: "InternalError",
              $metadata: { httpStatusCode: 503 },
            });
          }
          return blobs.put(...args);
        },
      }),
    });

    // Act
    const { execution, order } = await run();

    // Assess
    expect(order?.status, JSON.stringify(order?.failure)).toBe("ISSUED");
    expect(throttled).toBe(2);
    expect(failedPuts).toBe(2);
    const retried = execution.events.filter((event) => event.type === "StateRetried");
    expect(retried.length).toBeGreaterThanOrEqual(3);
  });

  it("shows what the CA reported while it tries a name again, then issues", async () => {
    // Prepare: the CA's first answer is "pending, connection refused for the name".
    let reported = false;
    const { run } = harness({
      publishedAfterSeconds: 0,
      ca: (deps) => {
        const real = deps.ca;
        return {
          ...placingOrders((ca, input) => ca.placeOrder(input))(deps),
          async validationProgress(ref) {
            if (reported) return real.validationProgress(ref);
            reported = true;
            return {
              state: "pending",
              problems: [
                {
                  domain: "shop.example.com",
                  detail: "shop.example.com: urn:ietf:params:acme:error:connection: no route",
                },
              ],
            };
          },
        };
      },
    });

    // Act
    const { order, history } = await run();

    // Assess
    expect(order?.status, JSON.stringify(order?.failure)).toBe("ISSUED");
    const note = history.find((event) => event.message.startsWith("The CA could not validate yet"));
    expect(note?.message).toContain("urn:ietf:params:acme:error:connection");
  });

  it("retries a CA that is down, then fails the order as CA_UNAVAILABLE", async () => {
    let calls = 0;
    const { run } = harness({
      publishedAfterSeconds: 0,
      ca: placingOrders(async () => {
        calls++;
        throw new CaUnavailable("connect ECONNREFUSED 127.0.0.1:14000");
      }),
    });
    const { execution, order } = await run();
    expect(calls).toBe(7);
    expect(execution.events.filter((event) => event.type === "StateRetried")).toHaveLength(6);
    expect(order?.failure).toEqual({
      code: "CA_UNAVAILABLE",
      message: "connect ECONNREFUSED 127.0.0.1:14000",
    });
  });

  it("records VALIDATION_FAILED when the CA finds the records missing", async () => {
    // The pre-check passes but the CA's own check does not.
    let checks = 0;
    const { run } = harness({
      publishedAfterSeconds: 0,
      ca: (deps) =>
        new EmbeddedCertificateAuthority({
          vault: deps.vault,
          clock: deps.clock,
          dcv: {
            async check() {
              checks++;
              return { ok: false, cause: "WRONG_VALUE", detail: "found 'stale'" };
            },
          },
        }),
    });
    const { order } = await run();
    expect(checks).toBe(1);
    expect(order?.failure?.code).toBe("VALIDATION_FAILED");
    expect(order?.failure?.message).toContain("WRONG_VALUE");
    expect(order?.validations[0]?.status).toBe("invalid");
  });

  it("records an unexpected error as INTERNAL without showing its cause", async () => {
    const { run } = harness({ publishedAfterSeconds: 0, mailFails: true });
    const { order, execution } = await run();
    expect(order?.status).toBe("FAILED");
    expect(order?.failure?.code).toBe("INTERNAL");
    expect(order?.failure?.message).toContain("TypeError");
    expect(order?.failure?.message).not.toContain("hunter2");
    expect(execution.status).toBe("FAILED");
  });

  it("issues one certificate when the CA was unreachable at the first finalize", async () => {
    // Prepare
    const { run, blobs } = harness({ publishedAfterSeconds: 0, ca: finalizeFailingFirst(1) });

    // Act
    const { execution, order } = await run();

    // Assess
    expect(order?.status, JSON.stringify(order?.failure)).toBe("ISSUED");
    expect(execution.status).toBe("SUCCEEDED");
    const retried = execution.events.filter((event) => event.type === "StateRetried");
    expect(retried.map((event) => event.stateName)).toEqual(["FinalizeWithCsr"]);
    expect(blobs.keys().filter((key) => key.includes("embedded/orders/"))).toHaveLength(1);
    expect(order?.certificate?.serialNumber).toMatch(/^[0-9a-f]+$/);
  });

  it("mails each notice once when an interrupted order runs again in a new execution", async () => {
    // Prepare: an execution that stopped right after mailing the instructions.
    const { engine, mailer, steps } = harness({ publishedAfterSeconds: 0 });
    const orderId = await steps.seed();
    for (const state of [
      "RecordOrder",
      "PrepareKeyAndCsr",
      "PlaceOrderWithCa",
      "SendValidationInstructions",
    ]) {
      await steps.run(state, { orderId });
    }

    // Act
    await engine.startExecution(`${orderId}-2`, { orderId });
    const execution = await engine.waitForExecution(`${orderId}-2`);

    // Assess
    expect(execution.status).toBe("SUCCEEDED");
    expect(mailer.sent.map((mail) => mail.subject)).toEqual([
      "Action needed: publish the validation for shop.example.com",
      "Certificate issued for shop.example.com",
    ]);
  });

  it("goes on counting checks, on the cadence of the original wait, in a resumed execution", async () => {
    // Prepare: three turns found nothing, 15 minutes apart; two hours on, the execution stopped.
    const { store, steps, clock } = harness();
    const orderId = await steps.seed();
    for (const state of ["RecordOrder", "PrepareKeyAndCsr"]) await steps.run(state, { orderId });
    const first = (await steps.run("PlaceOrderWithCa", { orderId })) as { waitSeconds: number };
    for (let turn = 0; turn < 3; turn++) {
      await steps.run("WaitForCustomerToPublish", {
        orderId,
        taskToken: `token-${turn}`,
        turn: { waitSeconds: first.waitSeconds },
      });
      clock.advance(first.waitSeconds);
    }
    clock.advance(2 * HOUR - 3 * first.waitSeconds);

    // Act: the new execution places the order again (the CA keeps it) and enters the loop.
    const resumed = (await steps.run("PlaceOrderWithCa", { orderId })) as { waitSeconds: number };
    await steps.run("WaitForCustomerToPublish", {
      orderId,
      taskToken: "token-resumed",
      turn: { waitSeconds: resumed.waitSeconds },
    });

    // Assess: 15-minute turns in the first hour; after it, 19.6 hours up to the 90 % mark in 10
    // turns.
    expect(first.waitSeconds).toBe(900);
    expect(resumed.waitSeconds).toBe(7056);
    const checks = (await store.history(orderId)).filter((event) => event.type === "check");
    expect(checks.map((event) => event.message.split(":")[0])).toEqual([
      "Check 1",
      "Check 2",
      "Check 3",
      "Check 4",
    ]);
    expect(checks.at(-1)?.message).toContain("next check in 7056 s");
    expect((await store.get(orderId))?.waitToken).toBe("token-resumed");
  });

  it("picks an interrupted order up again without placing it twice or making a new key", async () => {
    const { run, store, engine, blobs, steps } = harness({ publishedAfterSeconds: 0 });
    const issued = await run();
    // Rerunning every step on an issued order leaves it alone.
    await engine.startExecution(`${issued.orderId}-2`, { orderId: issued.orderId });
    expect((await engine.waitForExecution(`${issued.orderId}-2`)).status).toBe("FAILED");
    expect((await store.get(issued.orderId))?.status).toBe("ISSUED");

    // An execution that stopped right after placing the order with the CA…
    const interrupted = await steps.seed();
    await steps.run("RecordOrder", { orderId: interrupted });
    await steps.run("PrepareKeyAndCsr", { orderId: interrupted });
    await steps.run("PlaceOrderWithCa", { orderId: interrupted });
    const placed = await store.get(interrupted);
    const key = await blobs.get(`private-keys/${interrupted}.key.pem`);
    // …continues in a new execution from the start, and every step finds its earlier work.
    await engine.startExecution(`${interrupted}-2`, { orderId: interrupted });
    expect((await engine.waitForExecution(`${interrupted}-2`)).status).toBe("SUCCEEDED");
    const resumed = await store.get(interrupted);
    expect(resumed?.status).toBe("ISSUED");
    expect(resumed?.caOrderRef).toBe(placed?.caOrderRef);
    expect(await blobs.get(`private-keys/${interrupted}.key.pem`)).toEqual(key);
  });
});
