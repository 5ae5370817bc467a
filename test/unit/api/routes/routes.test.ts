import { beforeEach, describe, expect, it } from "vitest";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { WorkflowEngine } from "../../../../functions/ports/workflow-engine.ts";
import { callRoute, type RouteCall, routeTestDependencies } from "../../../support/route-calls.ts";

let deps: AllDependencies;
let started: string[];
let woken: string[];
let failStart: boolean;
let counter: number;

let clock: ReturnType<typeof fixedClock>;

beforeEach(() => {
  clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  started = [];
  woken = [];
  failStart = false;
  counter = 0;
  const workflow: WorkflowEngine = {
    async startExecution(name) {
      if (failStart) throw new Error("engine down");
      started.push(name);
    },
    async sendTaskSuccess(token) {
      woken.push(token);
    },
    async sendTaskFailure() {
      throw new Error("no route fails a task");
    },
    async stopExecution() {},
    async describeExecution() {
      return undefined;
    },
  };
  deps = routeTestDependencies(clock, { workflow, newOrderId: () => `ord_test${++counter}` });
});

function call(method: string, path: string, options: RouteCall = {}) {
  return callRoute(deps, method, path, options);
}

const valid = {
  domains: ["shop.example.com", "www.shop.example.com"],
  validation: { method: "dns-txt" },
  contact: { name: "Ada", email: "ada@example.com" },
};

describe("POST /v1/orders", () => {
  it("records the order, starts its execution by order id, and answers 202 with Location", async () => {
    const answer = await call("POST", "/v1/orders", { body: valid });
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({
      id: "ord_test1",
      status: "SUBMITTED",
      execution: { name: "ord_test1-1" },
    });
    expect(answer.result.headers.location).toBe("http://127.0.0.1:3000/v1/orders/ord_test1");
    expect(started).toEqual(["ord_test1-1"]);
    expect((await deps.store.get("ord_test1"))?.validityDays).toBe(200);
  });

  it("answers 400 for a body that is not JSON or not the contract, naming the fields", async () => {
    expect((await call("POST", "/v1/orders", { rawBody: "{nope" })).json.error.code).toBe(
      "INVALID_JSON",
    );
    const answer = await call("POST", "/v1/orders", {
      body: { ...valid, validation: { method: "carrier-pigeon" } },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error.details.issues[0].path).toBe("validation.method");
  });

  it("answers 422 listing every rule the order breaks, and stores nothing", async () => {
    const answer = await call("POST", "/v1/orders", {
      body: {
        ...valid,
        domains: ["*.example.com", "10.0.0.1"],
        validation: { method: "http-file" },
        validityDays: 400,
      },
    });
    expect(answer.status).toBe(422);
    const codes = answer.json.error.details.problems.map(
      (problem: { code: string }) => problem.code,
    );
    expect(codes).toEqual(expect.arrayContaining(["IP_ADDRESS", "VALIDITY_TOO_LONG"]));
    expect(started).toEqual([]);
    expect((await deps.store.listByTenant("tenant-a", { limit: 10 })).orders).toEqual([]);
  });

  it("answers 401 without a principal", async () => {
    expect((await call("POST", "/v1/orders", { body: valid, tenant: null as never })).status).toBe(
      401,
    );
  });

  it("fails the order it could not start and says so with 503", async () => {
    failStart = true;
    const answer = await call("POST", "/v1/orders", { body: valid });
    expect(answer.status).toBe(503);
    expect((await deps.store.get("ord_test1"))?.status).toBe("FAILED");
  });
});

describe("order routes", () => {
  it("hide other tenants' orders behind 404 and show operators every order", async () => {
    await call("POST", "/v1/orders", { body: valid });
    expect((await call("GET", "/v1/orders/ord_test1", { tenant: "tenant-b" })).status).toBe(404);
    expect(
      (await call("GET", "/v1/orders/ord_test1", { tenant: "ops", role: "operator" })).status,
    ).toBe(200);
    expect((await call("GET", "/v1/orders/not-an-id")).status).toBe(404);
  });

  it("limit one tenant's submissions per minute with 429 and Retry-After, leaving others alone", async () => {
    // Prepare
    deps = { ...deps, settings: { ...deps.settings, submissionsPerMinute: 2 } };

    // Act
    const allowed = [await call("POST", "/v1/orders", { body: valid })];
    allowed.push(await call("POST", "/v1/orders", { body: valid }));
    const refused = await call("POST", "/v1/orders", { body: valid });
    const otherTenant = await call("POST", "/v1/orders", { body: valid, tenant: "tenant-b" });
    clock.advance(60);
    const nextMinute = await call("POST", "/v1/orders", { body: valid });

    // Assess
    expect(allowed.map((answer) => answer.status)).toEqual([202, 202]);
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("RATE_LIMITED");
    expect(refused.json.error.message).toContain("2 orders a minute");
    expect(refused.result.headers["retry-after"]).toBe("60");
    expect(otherTenant.status).toBe(202);
    expect(nextMinute.status).toBe(202);
    expect(started).toHaveLength(4);
  });

  it("take email validation with the approvers of every name, and refuse an approver the rules do not allow", async () => {
    // Prepare
    const single = {
      ...valid,
      validation: { method: "email", approverEmail: "Admin@Example.com" },
    };
    const spread = {
      ...valid,
      domains: ["shop.example.com", "www.example.org"],
      validation: {
        method: "email",
        approverEmails: {
          "shop.example.com": "admin@example.com",
          "www.example.org": "hostmaster@example.org",
        },
      },
    };
    const refused = {
      ...valid,
      validation: { method: "email", approverEmail: "info@example.com" },
    };

    // Act
    const one = await call("POST", "/v1/orders", { body: single });
    const two = await call("POST", "/v1/orders", { body: spread });
    const bad = await call("POST", "/v1/orders", { body: refused });

    // Assess
    expect([one.status, two.status, bad.status]).toEqual([202, 202, 422]);
    expect((await deps.store.get(one.json.id))?.approvers).toEqual({
      "shop.example.com": "admin@example.com",
      "www.shop.example.com": "admin@example.com",
    });
    expect((await deps.store.get(two.json.id))?.approvers).toEqual({
      "shop.example.com": "admin@example.com",
      "www.example.org": "hostmaster@example.org",
    });
    expect(one.json.warnings[0].code).toBe("EMAIL_VALIDATION_DEPRECATED");
    expect(bad.json.error.code).toBe("APPROVER_NOT_ALLOWED");
    expect(bad.json.error.message).toContain("admin@example.com");
    expect(started).toHaveLength(2);
  });

  it("refuse email validation from 2028-03-15 on, and take it the moment before", async () => {
    // Prepare
    const body = { ...valid, validation: { method: "email", approverEmail: "admin@example.com" } };
    clock.set(new Date("2028-03-14T23:59:59.999Z"));
    const before = await call("POST", "/v1/orders", { body });

    // Act
    clock.set(new Date("2028-03-15T00:00:00.000Z"));
    const from = await call("POST", "/v1/orders", { body });

    // Assess
    expect(before.status).toBe(202);
    expect(from.status).toBe(422);
    expect(from.json.error.code).toBe("EMAIL_VALIDATION_RETIRED");
  });

  it("answer NOT_OFFERED_BY_CA for email or OV/EV when the CA is an ACME CA", async () => {
    // Prepare
    deps = { ...deps, caProfile: { kind: "acme", audience: "public" } };
    const bodies = [
      { ...valid, validation: { method: "email", approverEmail: "admin@example.com" } },
      {
        ...valid,
        product: "OV",
        organization: { name: "Example", locality: "Berlin", state: "Berlin", country: "DE" },
      },
    ];

    // Act
    const answers = await Promise.all(bodies.map((body) => call("POST", "/v1/orders", { body })));

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(422);
      expect(answer.json.error.code).toBe("NOT_OFFERED_BY_CA");
    }
    expect(started).toEqual([]);
  });

  it("keep 5 s between two customer checks of one order (429 with Retry-After)", async () => {
    // Prepare
    await call("POST", "/v1/orders", { body: valid });
    const order = await deps.store.get("ord_test1");
    if (order === undefined) throw new Error("missing");
    await deps.store.update(order, { status: "PENDING_VALIDATION", validations: [] });

    // Act
    const first = await call("POST", "/v1/orders/ord_test1/checks");
    clock.advance(4);
    const tooSoon = await call("POST", "/v1/orders/ord_test1/checks");
    clock.advance(1);
    const later = await call("POST", "/v1/orders/ord_test1/checks");

    // Assess
    expect(first.status).toBe(200);
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.result.headers["retry-after"]).toBe("5");
    expect(later.status).toBe(200);
  });

  it("run the checks now and wake a parked execution when everything is published", async () => {
    await call("POST", "/v1/orders", { body: valid });
    const order = await deps.store.get("ord_test1");
    if (order === undefined) throw new Error("missing");
    await deps.store.update(order, {
      status: "PENDING_VALIDATION",
      waitToken: "token-42",
      validations: [
        {
          domain: "shop.example.com",
          method: "dns-txt",
          status: "pending",
          instructions: {
            method: "dns-txt",
            recordType: "TXT",
            host: "_x.shop.example.com",
            value: "v",
          },
        },
      ],
    });
    const answer = await call("POST", "/v1/orders/ord_test1/checks");
    expect(answer.json).toMatchObject({
      allPublished: true,
      resumed: true,
      results: [{ domain: "shop.example.com", ok: true }],
    });
    expect(woken).toEqual(["token-42"]);
  });

  it("refuse downloads before issuance and unknown formats", async () => {
    await call("POST", "/v1/orders", { body: valid });
    expect((await call("GET", "/v1/orders/ord_test1/certificate?format=pem")).json.error.code).toBe(
      "NOT_ISSUED",
    );
    expect((await call("GET", "/v1/orders/ord_test1/certificate?format=jks")).json.error.code).toBe(
      "FORMAT_UNKNOWN",
    );
  });

  it("cancel a pending order once", async () => {
    await call("POST", "/v1/orders", { body: valid });
    expect((await call("POST", "/v1/orders/ord_test1/cancellation")).json.status).toBe("CANCELLED");
    expect((await call("POST", "/v1/orders/ord_test1/cancellation")).status).toBe(409);
  });

  it("cancel an order placed with the CA: the CA gives it up and no instructions are shown", async () => {
    // Prepare: the order waits for the customer, placed with the embedded CA.
    await call("POST", "/v1/orders", { body: valid });
    const submitted = await deps.store.get("ord_test1");
    if (submitted === undefined) throw new Error("order missing");
    const placed = await deps.ca.placeOrder({
      orderId: submitted.orderId,
      tenantId: submitted.tenantId,
      names: submitted.names,
      method: submitted.method,
    });
    await deps.store.update(submitted, {
      status: "PENDING_VALIDATION",
      caOrderRef: placed.caOrderRef,
      validations: placed.challenges.map((challenge) => ({
        domain: challenge.domain,
        method: challenge.method,
        status: "pending",
        instructions: challenge.instructions,
      })),
    });

    // Act
    const cancelled = await call("POST", "/v1/orders/ord_test1/cancellation");
    const viewed = await call("GET", "/v1/orders/ord_test1");

    // Assess
    expect(cancelled.json.status).toBe("CANCELLED");
    for (const view of [cancelled.json, viewed.json]) {
      expect(view.validations).toHaveLength(2);
      for (const validation of view.validations) expect(validation.instructions).toBeUndefined();
    }
    expect(await deps.ca.validationProgress(placed.caOrderRef)).toEqual({
      state: "invalid",
      reason: "the order was cancelled",
    });
  });

  it("list the tenant's orders and refuse a bad status filter", async () => {
    await call("POST", "/v1/orders", { body: valid });
    await call("POST", "/v1/orders", { body: valid });
    expect((await call("GET", "/v1/orders?limit=1")).json.orders).toHaveLength(1);
    expect((await call("GET", "/v1/orders?status=LOST")).status).toBe(400);
    expect((await call("GET", "/v1/orders?cursor=garbage")).json.error.code).toBe("INVALID_CURSOR");
    expect((await call("GET", "/v1/orders", { tenant: "tenant-b" })).json.orders).toEqual([]);
  });

  it("list the orders with a name, as typed in any case, Unicode or with a trailing dot", async () => {
    // Prepare
    await call("POST", "/v1/orders", { body: valid });
    await call("POST", "/v1/orders", {
      body: { ...valid, domains: ["bücher.example.com", "www.shop.example.com"] },
    });
    await call("POST", "/v1/orders", { body: { ...valid, domains: ["other.example.com"] } });

    // Act
    const www = await call("GET", "/v1/orders?domain=WWW.Shop.Example.com.");
    const unicode = await call(
      `GET`,
      `/v1/orders?domain=${encodeURIComponent("Bücher.example.com")}`,
    );
    const punycode = await call("GET", "/v1/orders?domain=xn--bcher-kva.example.com");
    const empty = await call("GET", "/v1/orders?domain=");
    const bad = await call("GET", `/v1/orders?domain=${encodeURIComponent("a b/c")}`);

    // Assess
    expect(www.json.orders.map((order: { id: string }) => order.id)).toEqual([
      "ord_test2",
      "ord_test1",
    ]);
    expect(unicode.json.orders.map((order: { id: string }) => order.id)).toEqual(["ord_test2"]);
    expect(punycode.json.orders.map((order: { id: string }) => order.id)).toEqual(["ord_test2"]);
    expect(empty.json.orders).toHaveLength(3);
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("INVALID_DOMAIN");
  });

  it("tell the caller who they are, for the web console", async () => {
    expect((await call("GET", "/v1/whoami")).json).toEqual({
      tenantId: "tenant-a",
      role: "customer",
    });
    expect((await call("GET", "/v1/whoami", { role: "operator", tenant: "ops" })).json).toEqual({
      tenantId: "ops",
      role: "operator",
    });
    expect((await call("GET", "/v1/whoami", { tenant: null as never })).status).toBe(401);
  });

  it("keep the execution view for operators", async () => {
    expect((await call("GET", "/v1/executions/ord_x-1")).status).toBe(403);
    expect((await call("GET", "/v1/executions/ord_x-1", { role: "operator" })).status).toBe(404);
  });
});
