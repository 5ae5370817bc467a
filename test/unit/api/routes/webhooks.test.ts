import { beforeEach, describe, expect, it } from "vitest";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type {
  EndpointCheck,
  WebhookClient,
  WebhookRequest,
} from "../../../../functions/ports/webhook-client.ts";
import { signWebhook } from "../../../../functions/webhooks/signing.ts";
import { callRoute, type RouteCall, routeTestDependencies } from "../../../support/route-calls.ts";

let deps: AllDependencies;
let sent: WebhookRequest[];
let verdict: EndpointCheck;
let answerStatus: number;
let clock: ReturnType<typeof fixedClock>;

beforeEach(() => {
  sent = [];
  verdict = { ok: true };
  answerStatus = 200;
  const webhookClient: WebhookClient = {
    async checkEndpoint() {
      return verdict;
    },
    async post(request) {
      sent.push(request);
      return { kind: "answered", statusCode: answerStatus, durationMs: 7, excerpt: "thanks" };
    },
  };
  clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  deps = routeTestDependencies(clock, { webhookClient });
});

const call = (method: string, path: string, options: RouteCall = {}) =>
  callRoute(deps, method, path, options);

async function register(
  tenant = "tenant-a",
  body: unknown = { url: "https://hooks.example.com/a" },
) {
  const answer = await call("POST", "/v1/webhooks", { tenant, body });
  expect(answer.status, JSON.stringify(answer.json)).toBe(201);
  return answer.json as { id: string; secret: string; url: string; events: unknown };
}

describe("POST /v1/webhooks", () => {
  it("answers 201 with the endpoint and its signing secret, whsec_ and at least 24 random bytes", async () => {
    // Act
    const answer = await call("POST", "/v1/webhooks", {
      body: { url: "https://hooks.example.com/certflow", events: ["order.status_changed"] },
    });

    // Assess
    expect(answer.status).toBe(201);
    expect(answer.result.headers.location).toBe(`/v1/webhooks/${answer.json.id}`);
    expect(answer.result.headers["cache-control"]).toBe("no-store");
    expect(answer.json).toMatchObject({
      id: expect.stringMatching(/^wh_[0-9a-f]{20}$/),
      url: "https://hooks.example.com/certflow",
      events: ["order.status_changed"],
      createdAt: "2027-01-10T08:00:00.000Z",
    });
    expect(answer.json.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(answer.json.secret.slice(6), "base64").length).toBeGreaterThanOrEqual(24);
    expect(await deps.vault.getWebhookSecret(answer.json.id)).toBe(answer.json.secret);
  });

  it("stores the secret sealed, never in plain, in the vault", async () => {
    const { id, secret } = await register();
    const stored = await deps.store.getWebhookEndpoint("tenant-a", id);

    expect(JSON.stringify(stored)).not.toContain(secret.slice(6));
    expect(JSON.stringify(stored)).not.toContain("whsec_");
  });

  it("refuses a URL the client refuses with 422 naming the cause, and stores nothing", async () => {
    // Prepare
    verdict = {
      ok: false,
      cause: "ADDRESS_NOT_PUBLIC",
      detail:
        "hooks.internal resolves to a private-network address, which is not on the public internet.",
    };

    // Act
    const answer = await call("POST", "/v1/webhooks", { body: { url: "https://hooks.internal/" } });

    // Assess
    expect(answer.status).toBe(422);
    expect(answer.json.error.code).toBe("ADDRESS_NOT_PUBLIC");
    expect(answer.json.error.message).toContain("private-network");
    expect((await call("GET", "/v1/webhooks")).json.webhooks).toEqual([]);
  });

  it.each([
    ["no url", {}],
    ["an unknown event type", { url: "https://hooks.example.com/", events: ["order.exploded"] }],
    ["an empty events list", { url: "https://hooks.example.com/", events: [] }],
    ["an unknown field", { url: "https://hooks.example.com/", secret: "whsec_mine" }],
  ])("answers 400 for %s", async (_case, body) => {
    const answer = await call("POST", "/v1/webhooks", { body });

    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe("INVALID_REQUEST");
  });

  it("stops at 10 endpoints per tenant with 409, other tenants unaffected", async () => {
    for (let index = 0; index < 10; index++) await register();

    const refused = await call("POST", "/v1/webhooks", {
      body: { url: "https://hooks.example.com/11" },
    });

    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe("WEBHOOK_LIMIT_REACHED");
    await register("tenant-b");
  });
});

describe("GET /v1/webhooks", () => {
  it("lists the tenant's endpoints oldest first, never with their secret", async () => {
    // Prepare
    const first = await register();
    clock.advance(1);
    const second = await register("tenant-a", { url: "https://hooks.example.com/b" });
    await register("tenant-b", { url: "https://hooks.example.com/other" });

    // Act
    const listed = await call("GET", "/v1/webhooks");

    // Assess
    expect(listed.status).toBe(200);
    expect(listed.json.webhooks.map((hook: { id: string }) => hook.id)).toEqual([
      first.id,
      second.id,
    ]);
    expect(listed.json.webhooks[0]).toEqual({
      id: first.id,
      url: "https://hooks.example.com/a",
      events: "all",
      createdAt: "2027-01-10T08:00:00.000Z",
    });
    expect(listed.result.body).not.toContain("whsec_");
    expect(listed.result.body).not.toContain(first.secret.slice(6));
  });
});

describe("another tenant's endpoint", () => {
  it.each([
    ["DELETE", ""],
    ["POST", "/ping"],
    ["GET", "/deliveries"],
  ])("answers 404 to %s …%s, and leaves it as it was", async (method, suffix) => {
    // Prepare
    const { id } = await register("tenant-a");

    // Act
    const answer = await call(method, `/v1/webhooks/${id}${suffix}`, { tenant: "tenant-b" });
    const asOperator = await call(method, `/v1/webhooks/${id}${suffix}`, {
      tenant: "ops",
      role: "operator",
    });

    // Assess
    expect(answer.status).toBe(404);
    expect(asOperator.status).toBe(404);
    expect(sent).toEqual([]);
    expect((await call("GET", "/v1/webhooks")).json.webhooks).toHaveLength(1);
  });

  it("is as unknown as an id that never existed or is malformed", async () => {
    expect((await call("DELETE", "/v1/webhooks/wh_00000000000000000000")).status).toBe(404);
    expect((await call("DELETE", "/v1/webhooks/not-an-id")).status).toBe(404);
  });
});

describe("DELETE /v1/webhooks/{id}", () => {
  it("answers 204, then the endpoint is gone from the list, its secret erased, and a second delete 404", async () => {
    const { id } = await register();

    const deleted = await call("DELETE", `/v1/webhooks/${id}`);

    expect(deleted.status).toBe(204);
    expect((await call("GET", "/v1/webhooks")).json.webhooks).toEqual([]);
    expect(await deps.vault.getWebhookSecret(id)).toBeUndefined();
    expect((await call("DELETE", `/v1/webhooks/${id}`)).status).toBe(404);
    expect((await call("POST", `/v1/webhooks/${id}/ping`)).status).toBe(404);
  });
});

describe("POST /v1/webhooks/{id}/ping and GET …/deliveries", () => {
  it("sends a signed webhook.ping at once, answers what the receiver did, and logs the attempt", async () => {
    // Prepare
    const { id, secret } = await register();

    // Act
    const ping = await call("POST", `/v1/webhooks/${id}/ping`);
    answerStatus = 503;
    const failedPing = await call("POST", `/v1/webhooks/${id}/ping`);
    const log = await call("GET", `/v1/webhooks/${id}/deliveries`);

    // Assess
    expect(ping.status).toBe(200);
    expect(ping.json).toMatchObject({ delivered: true, statusCode: 200, attempt: 1 });
    expect(failedPing.json).toMatchObject({ delivered: false, statusCode: 503 });
    expect(failedPing.json.nextRetryAt).toBeUndefined();
    const [request] = sent;
    if (request === undefined) throw new Error("nothing sent");
    expect(request.url).toBe("https://hooks.example.com/a");
    expect(JSON.parse(request.body)).toMatchObject({
      type: "webhook.ping",
      timestamp: "2027-01-10T08:00:00.000Z",
      data: { endpointId: id },
    });
    const id0 = request.headers["webhook-id"] ?? "";
    const timestamp = Number(request.headers["webhook-timestamp"]);
    expect(id0).toMatch(/^msg_[a-z2-7]{26}$/);
    expect(timestamp).toBe(Date.parse("2027-01-10T08:00:00Z") / 1000);
    expect(request.headers["webhook-signature"]).toBe(
      signWebhook(secret, id0, timestamp, request.body),
    );
    expect(log.status).toBe(200);
    expect(log.json.deliveries).toHaveLength(2);
    expect(
      log.json.deliveries.map((attempt: { statusCode: number }) => attempt.statusCode),
    ).toEqual(expect.arrayContaining([200, 503]));
    expect(log.json.deliveries[0]).toMatchObject({
      eventType: "webhook.ping",
      durationMs: 7,
      responseExcerpt: "thanks",
    });
  });

  it("pages the log with limit and cursor, and refuses a limit over 100 or a foreign cursor", async () => {
    const { id } = await register();
    for (let index = 0; index < 3; index++) await call("POST", `/v1/webhooks/${id}/ping`);

    const first = await call("GET", `/v1/webhooks/${id}/deliveries?limit=2`);
    const rest = await call(
      "GET",
      `/v1/webhooks/${id}/deliveries?limit=2&cursor=${first.json.nextCursor}`,
    );

    expect(first.json.deliveries).toHaveLength(2);
    expect(rest.json.deliveries).toHaveLength(1);
    expect(rest.json.nextCursor).toBeUndefined();
    expect((await call("GET", `/v1/webhooks/${id}/deliveries?limit=101`)).status).toBe(400);
    expect((await call("GET", `/v1/webhooks/${id}/deliveries?cursor=abc`)).json.error.code).toBe(
      "INVALID_CURSOR",
    );
  });
});
