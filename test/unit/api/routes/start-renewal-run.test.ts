import { beforeEach, describe, expect, it } from "vitest";
import type { MemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import {
  FIRST_CERTIFICATE,
  issuedRecord,
  RENEWAL_NOW,
  recordingWorkflow,
  seed,
  stored,
} from "../../../support/renewal-fixtures.ts";
import { callRoute, routeTestDependencies } from "../../../support/route-calls.ts";

let deps: AllDependencies;
let workflow: ReturnType<typeof recordingWorkflow>;

beforeEach(async () => {
  workflow = recordingWorkflow();
  const base = routeTestDependencies(fixedClock(RENEWAL_NOW));
  deps = { ...base, workflow: { ...base.workflow, startExecution: workflow.startExecution } };
  await seed(deps.store, issuedRecord("ord_duenow"));
  await seed(
    deps.store,
    issuedRecord("ord_ended", {
      autoRenew: false,
      certificate: { ...FIRST_CERTIFICATE, notAfter: "2027-04-30T00:00:00.000Z" },
    }),
  );
  await seed(
    deps.store,
    issuedRecord("ord_notdue", {
      certificate: { ...FIRST_CERTIFICATE, renewAt: "2027-05-15T00:00:00.000Z" },
    }),
  );
});

describe("POST /v1/renewal-runs", () => {
  it("stops beginning orders once its time budget is spent and says more are due", async () => {
    // Prepare: a clock that moves 13 s (past the route's budget) at each reading after the first.
    let readings = 0;
    const movingClock = {
      now: () => new Date(RENEWAL_NOW.getTime() + 13_000 * Math.min(readings++, 1)),
    };

    // Act
    const answer = await callRoute({ ...deps, clock: movingClock }, "POST", "/v1/renewal-runs", {
      role: "operator",
      tenant: "ops",
    });

    // Assess: nothing begun, nothing lost: the orders are still due for the next ask.
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ due: 0, started: 0, more: true });
    expect(workflow.started).toHaveLength(0);
    expect((await stored(deps.store, "ord_duenow")).status).toBe("ISSUED");
  });

  it("runs the renewal run for an operator and answers its counts", async () => {
    // Act
    const answer = await callRoute(deps, "POST", "/v1/renewal-runs", {
      role: "operator",
      tenant: "ops",
    });

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({
      at: RENEWAL_NOW.toISOString(),
      due: 2,
      started: 1,
      running: 0,
      expired: 1,
      skipped: 0,
      more: false,
    });
    expect(workflow.started).toHaveLength(1);
    expect((await stored(deps.store, "ord_ended")).status).toBe("EXPIRED");
    expect((deps.mailer as MemoryMailer).sent.map((mail) => mail.subject)).toEqual([
      "Certificate expired: shop.example.com",
    ]);
  });

  it("answers a second run that the renewal is running", async () => {
    // Prepare
    await callRoute(deps, "POST", "/v1/renewal-runs", { role: "operator", tenant: "ops" });

    // Act
    const again = await callRoute(deps, "POST", "/v1/renewal-runs", {
      role: "operator",
      tenant: "ops",
    });

    // Assess
    expect(again.json).toMatchObject({ due: 1, started: 0, running: 1, expired: 0 });
  });

  it("refuses a customer with 403, and runs nothing", async () => {
    // Act
    const answer = await callRoute(deps, "POST", "/v1/renewal-runs");

    // Assess
    expect(answer.status).toBe(403);
    expect(answer.json.error.code).toBe("FORBIDDEN");
    expect(workflow.started).toEqual([]);
    expect((await stored(deps.store, "ord_ended")).status).toBe("ISSUED");
    expect((await stored(deps.store, "ord_duenow")).renewal).toBeUndefined();
  });
});
