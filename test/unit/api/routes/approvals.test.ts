import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { MemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord, ValidationRecord } from "../../../../functions/domain/order-record.ts";
import {
  approvalLinkHash,
  sendApprovalRequests,
} from "../../../../functions/orders/approval-requests.ts";
import {
  DEADLINE,
  emailValidation,
  recordingEngine,
  secretsMailedTo,
  storeWaitingOrder,
  WAITING_SINCE,
} from "../../../support/email-approvals.ts";
import { callRoute, routeTestDependencies } from "../../../support/route-calls.ts";

const ADMIN = "admin@example.com";
const ORDER_ID = "ord_email1";

/** An order waiting for ADMIN to approve two names, parked on token-1, and ADMIN's link. */
async function world(
  options: { validations?: readonly ValidationRecord[]; order?: Partial<OrderRecord> } = {},
) {
  const clock = fixedClock(WAITING_SINCE);
  const engine = recordingEngine();
  const deps = routeTestDependencies(clock, { workflow: engine.workflow });
  const mailer = deps.mailer as MemoryMailer;
  const order = await storeWaitingOrder(
    deps.store,
    options.validations ?? [
      emailValidation("shop.example.com", ADMIN),
      emailValidation("www.shop.example.com", ADMIN),
    ],
    { waitToken: "token-1", ...options.order },
  );
  await sendApprovalRequests(deps, order, { replace: false, why: "Approval request" });
  const secret = secretsMailedTo(mailer, ADMIN).at(-1) ?? "";
  const stored = async () => (await deps.store.get(ORDER_ID)) as OrderRecord;
  return { clock, deps, engine, secret, stored };
}

const anonymous = { tenant: null } as const;
const asJson = { ...anonymous, headers: { accept: "application/json" } };

/** The text of the page's one inline script. */
const inlineScript = (html: string) => /<script>([\s\S]*?)<\/script>/.exec(html)?.[1];

describe("GET /v1/approvals/{token}", () => {
  it("shows the approver a page of what is asked, by whom, until when, without signing in", async () => {
    // Prepare
    const { deps, secret } = await world();

    // Act
    const answer = await callRoute(deps, "GET", `/v1/approvals/${secret}`, anonymous);

    // Assess
    expect(answer.status).toBe(200);
    const { headers, body } = answer.result;
    expect(headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(headers["cache-control"]).toBe("no-store");
    expect(headers["referrer-policy"]).toBe("no-referrer");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(body).toContain("<li>shop.example.com</li><li>www.shop.example.com</li>");
    expect(body).toContain(`this address (${ADMIN})`);
    expect(body).toContain("<dd>Ada (ada@example.com)</dd>");
    expect(body).toContain(`<time datetime="${DEADLINE}">11 January 2027, 08:00 UTC</time> (once)`);
    expect(body).toContain('<meta name="robots" content="noindex">');
    expect(body).not.toContain(ORDER_ID);
    expect(body).not.toContain(secret);
  });

  it("allows only the page's own script, by its hash, and nothing from elsewhere", async () => {
    // Prepare
    const { deps, secret } = await world();

    // Act
    const answer = await callRoute(deps, "GET", `/v1/approvals/${secret}`, anonymous);

    // Assess
    const policy = answer.result.headers["content-security-policy"] ?? "";
    const script = inlineScript(answer.result.body) ?? "";
    const hash = createHash("sha256").update(script).digest("base64");
    expect(script).toContain("fetch(location.pathname");
    expect(policy.split("; ")).toEqual([
      "default-src 'none'",
      "style-src 'unsafe-inline'",
      `script-src 'sha256-${hash}'`,
      "connect-src 'self'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ]);
    expect(answer.result.body.match(/<script/g)).toHaveLength(1);
  });

  it("escapes HTML in what the requester wrote: a contact name with a script is text", async () => {
    // Prepare
    const { deps, secret } = await world({
      order: {
        contact: { name: `<script>alert("x")</script> & 'co'`, email: "ada@example.com" },
        organization: {
          name: "<img src=x onerror=alert(1)>",
          locality: "Köln",
          state: "NRW",
          country: "DE",
        },
      },
    });

    // Act
    const answer = await callRoute(deps, "GET", `/v1/approvals/${secret}`, anonymous);

    // Assess
    const { body } = answer.result;
    expect(body).toContain(
      "<dd>&lt;img src=x onerror=alert(1)&gt; (&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;, ada@example.com)</dd>",
    );
    expect(body).not.toContain('<script>alert("x")');
    expect(body).not.toContain("<img");
    expect(body.match(/<script>/g)).toHaveLength(1);
  });

  it("answers a program that accepts JSON with the request as JSON", async () => {
    // Prepare
    const { deps, secret } = await world();

    // Act
    const answer = await callRoute(deps, "GET", `/v1/approvals/${secret}`, asJson);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.result.headers["cache-control"]).toBe("no-store");
    expect(answer.json).toEqual({
      approver: ADMIN,
      names: ["shop.example.com", "www.shop.example.com"],
      requestedBy: "Ada (ada@example.com)",
      expiresAt: DEADLINE,
      status: "pending",
    });
  });

  it("shows a dead link's refusal as a page with its status, or as JSON", async () => {
    // Prepare
    const { deps, secret } = await world();
    await deps.store.settleApprovalLink(approvalLinkHash(secret), {
      state: "replaced",
      at: "2027-01-10T08:30:00.000Z",
    });

    // Act
    const page = await callRoute(deps, "GET", `/v1/approvals/${secret}`, anonymous);
    const json = await callRoute(deps, "GET", `/v1/approvals/${secret}`, asJson);

    // Assess
    expect(page.status).toBe(410);
    expect(page.result.headers["content-type"]).toContain("text/html");
    expect(page.result.body).toContain("<h1>A newer link was sent</h1>");
    expect(page.result.body).toContain("2027-01-10T08:30:00.000Z");
    expect(page.result.body).not.toContain("<script>");
    expect(json.status).toBe(410);
    expect(json.result.headers["cache-control"]).toBe("no-store");
    expect(json.json).toEqual({
      error: { code: "APPROVAL_LINK_REPLACED", message: expect.stringContaining("replaced") },
    });
  });

  it("answers a link never made 404 APPROVAL_LINK_UNKNOWN", async () => {
    // Prepare
    const { deps } = await world();

    // Act
    const page = await callRoute(deps, "GET", `/v1/approvals/${"u".repeat(43)}`, anonymous);
    const json = await callRoute(deps, "GET", "/v1/approvals/short", asJson);

    // Assess
    expect(page.status).toBe(404);
    expect(page.result.body).toContain("<h1>Unknown approval link</h1>");
    expect(json.status).toBe(404);
    expect(json.json.error.code).toBe("APPROVAL_LINK_UNKNOWN");
  });
});

describe("POST /v1/approvals/{token}", () => {
  it("approves once, answers what was approved, and wakes the wait", async () => {
    // Prepare
    const { deps, secret, engine, stored } = await world();

    // Act
    const answer = await callRoute(deps, "POST", `/v1/approvals/${secret}`, {
      ...anonymous,
      body: { decision: "approve" },
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.result.headers["cache-control"]).toBe("no-store");
    expect(answer.json).toEqual({
      decision: "approve",
      approver: ADMIN,
      names: ["shop.example.com", "www.shop.example.com"],
      requestedBy: "Ada (ada@example.com)",
      expiresAt: DEADLINE,
    });
    expect((await stored()).validations.map((validation) => validation.status)).toEqual([
      "published",
      "published",
    ]);
    expect(engine.calls).toEqual([
      { kind: "success", token: "token-1", output: { done: true, reason: "approved by email" } },
    ]);
  });

  it("declines with the reason made one line: control characters become spaces", async () => {
    // Prepare
    const { deps, secret, engine, stored } = await world();

    // Act
    const answer = await callRoute(deps, "POST", `/v1/approvals/${secret}`, {
      ...anonymous,
      body: { decision: "decline", reason: "\t Not\u0000ours,\r\nnot\u001b[31m here\u007f\u0085 " },
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json.decision).toBe("decline");
    const reason = "Not ours, not [31m here";
    const link = await deps.store.getApprovalLink(approvalLinkHash(secret));
    expect(link).toMatchObject({ state: "declined", reason });
    expect((await stored()).validations[0]?.lastCheck?.detail).toBe(`${ADMIN} declined: ${reason}`);
    expect(engine.calls).toEqual([
      {
        kind: "failure",
        token: "token-1",
        error: "ApprovalDeclined",
        cause: `${ADMIN} declined shop.example.com, www.shop.example.com: ${reason}`,
      },
    ]);
  });

  it("takes a reason of nothing but blanks and control characters as no reason", async () => {
    // Prepare
    const { deps, secret, stored } = await world();

    // Act
    await callRoute(deps, "POST", `/v1/approvals/${secret}`, {
      ...anonymous,
      body: { decision: "decline", reason: " \u0000\n\t " },
    });

    // Assess
    const link = await deps.store.getApprovalLink(approvalLinkHash(secret));
    expect(link !== undefined && "reason" in link).toBe(false);
    expect((await stored()).validations[0]?.lastCheck?.detail).toBe(`${ADMIN} declined`);
  });

  it("takes a reason of 500 characters", async () => {
    // Prepare
    const { deps, secret } = await world();

    // Act
    const answer = await callRoute(deps, "POST", `/v1/approvals/${secret}`, {
      ...anonymous,
      body: { decision: "decline", reason: "r".repeat(500) },
    });

    // Assess
    expect(answer.status).toBe(200);
    expect((await deps.store.getApprovalLink(approvalLinkHash(secret)))?.reason).toHaveLength(500);
  });

  it.each([
    ["a reason of 501 characters", { decision: "decline", reason: "r".repeat(501) }],
    ["no decision", { reason: "why" }],
    ["another decision", { decision: "maybe" }],
    ["a field the body does not have", { decision: "approve", approver: ADMIN }],
  ])("answers 400 to %s and leaves the link undecided", async (_case, body) => {
    // Prepare
    const { deps, secret, engine, stored } = await world();

    // Act
    const answer = await callRoute(deps, "POST", `/v1/approvals/${secret}`, { ...anonymous, body });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe("INVALID_REQUEST");
    expect((await deps.store.getApprovalLink(approvalLinkHash(secret)))?.state).toBe("pending");
    expect((await stored()).validations.map((validation) => validation.status)).toEqual([
      "pending",
      "pending",
    ]);
    expect(engine.calls).toEqual([]);
  });

  it("answers a second decision 410 with the code of the first", async () => {
    // Prepare
    const { deps, secret } = await world();
    await callRoute(deps, "POST", `/v1/approvals/${secret}`, {
      ...anonymous,
      body: { decision: "decline" },
    });

    // Act
    const again = await callRoute(deps, "POST", `/v1/approvals/${secret}`, {
      ...anonymous,
      body: { decision: "approve" },
    });

    // Assess
    expect(again.status).toBe(410);
    expect(again.json.error.code).toBe("APPROVAL_LINK_DECLINED");
  });

  it("answers an unknown link 404 and an expired one 410", async () => {
    // Prepare
    const { deps, secret, clock } = await world();

    // Act
    const unknown = await callRoute(deps, "POST", `/v1/approvals/${"u".repeat(43)}`, {
      ...anonymous,
      body: { decision: "approve" },
    });
    clock.set(new Date(DEADLINE));
    const expired = await callRoute(deps, "POST", `/v1/approvals/${secret}`, {
      ...anonymous,
      body: { decision: "approve" },
    });

    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("APPROVAL_LINK_UNKNOWN");
    expect(expired.status).toBe(410);
    expect(expired.json.error.code).toBe("APPROVAL_LINK_EXPIRED");
  });
});
