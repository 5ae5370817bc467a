import { describe, expect, it } from "vitest";
import type { MemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type {
  OrderRecord,
  ValidationMethodName,
  ValidationRecord,
} from "../../../../functions/domain/order-record.ts";
import {
  approvalLinkHash,
  sendApprovalRequests,
} from "../../../../functions/orders/approval-requests.ts";
import {
  type CertificateAuthority,
  caProfileOf,
} from "../../../../functions/ports/certificate-authority.ts";
import {
  approvalMails,
  DEADLINE,
  orderName,
  recordingEngine,
  secretsMailedTo,
  storeWaitingOrder,
  taskWokenAlready,
  WAITING_SINCE,
} from "../../../support/email-approvals.ts";
import { callRoute, routeTestDependencies } from "../../../support/route-calls.ts";

const ORDER_ID = "ord_email1";
const CHANGE = `/v1/orders/${ORDER_ID}/validation`;
const NAMES = ["shop.example.com", "www.shop.example.com"];
const ADMIN = "admin@shop.example.com";
const HOSTMASTER = "hostmaster@example.com";

type ChangeInput = Parameters<CertificateAuthority["changeMethod"]>[1];

/**
 * An order placed with the embedded CA by `method` (approved by ADMIN for email, whose link was
 * mailed), waiting for validation until DEADLINE and parked on token-1; the CA's method changes
 * are recorded.
 */
async function world(
  options: {
    method?: ValidationMethodName;
    names?: readonly string[];
    order?: Partial<OrderRecord>;
    deps?: Partial<AllDependencies>;
    engineAnswer?: () => void;
  } = {},
) {
  const clock = fixedClock(WAITING_SINCE);
  const engine = recordingEngine(options.engineAnswer);
  const deps = routeTestDependencies(clock, { workflow: engine.workflow, ...options.deps });
  const changes: ChangeInput[] = [];
  const ca = deps.ca;
  const changeMethod = ca.changeMethod.bind(ca);
  ca.changeMethod = (ref, input) => {
    changes.push(input);
    return changeMethod(ref, input);
  };
  const mailer = deps.mailer as MemoryMailer;
  const method = options.method ?? "email";
  const names = (options.names ?? NAMES).map((name) => orderName(name));
  const approvers =
    method === "email" ? Object.fromEntries(names.map((name) => [name.ascii, ADMIN])) : undefined;
  const placed = await ca.placeOrder({
    orderId: ORDER_ID,
    tenantId: "tenant-a",
    names,
    method,
    ...(approvers === undefined ? {} : { approvers }),
  });
  const validations = placed.challenges.map(
    (challenge): ValidationRecord => ({
      domain: challenge.domain,
      method: challenge.method,
      status: "pending",
      instructions: challenge.instructions,
    }),
  );
  const order = await storeWaitingOrder(deps.store, validations, {
    method,
    names,
    caOrderRef: placed.caOrderRef,
    waitToken: "token-1",
    ...(approvers === undefined ? {} : { approvers, approverEmail: ADMIN }),
    ...options.order,
  });
  if (method === "email") {
    await sendApprovalRequests(deps, order, { replace: false, why: "Approval request" });
  }
  const mailedBefore = mailer.sent.length;
  const stored = async () => (await deps.store.get(ORDER_ID)) as OrderRecord;
  const change = (body: unknown, tenant = "tenant-a") =>
    callRoute(deps, "PUT", CHANGE, { body, tenant });
  const newMails = () => mailer.sent.slice(mailedBefore);
  return { clock, deps, engine, mailer, changes, placed, order, stored, change, newMails };
}

describe("PUT /v1/orders/{id}/validation", () => {
  it("switches an email order to DNS: new instructions through the CA, the same deadline, dead links", async () => {
    // Prepare
    const { deps, engine, mailer, changes, stored, change, newMails } = await world();
    const [oldLink = ""] = secretsMailedTo(mailer, ADMIN);

    // Act
    const answer = await change({ method: "dns-txt" });

    // Assess
    expect(answer.status).toBe(200);
    const order = await stored();
    expect(order).toMatchObject({
      method: "dns-txt",
      validationDeadline: DEADLINE,
      approvalLinks: [],
      status: "PENDING_VALIDATION",
    });
    expect("approvers" in order).toBe(false);
    expect("approverEmail" in order).toBe(false);
    expect(order.validations.map((validation) => validation.instructions)).toEqual(
      NAMES.map((name) => ({
        method: "dns-txt",
        recordType: "TXT",
        host: `_certflow-challenge.${name}`,
        value: expect.stringMatching(/^certflow-/),
      })),
    );
    expect(answer.json).toMatchObject({
      id: ORDER_ID,
      validationDeadline: DEADLINE,
      validations: NAMES.map((domain) => ({ domain, method: "dns-txt", status: "pending" })),
    });
    expect(changes).toEqual([
      { tenantId: "tenant-a", names: NAMES.map((name) => orderName(name)), method: "dns-txt" },
    ]);
    expect(await deps.store.getApprovalLink(approvalLinkHash(oldLink))).toMatchObject({
      state: "replaced",
      decidedAt: WAITING_SINCE.toISOString(),
    });
    expect(newMails().map((mail) => [mail.to, mail.subject])).toEqual([
      [["ada@example.com"], "Action needed: publish the validation for shop.example.com"],
    ]);
    expect(newMails()[0]?.text).toContain(`_certflow-challenge.${NAMES[0]}`);
    expect(engine.calls).toEqual([
      {
        kind: "success",
        token: "token-1",
        output: { done: false, waitSeconds: 900, checkedAt: WAITING_SINCE.toISOString() },
      },
    ]);
    const history = (await deps.store.history(ORDER_ID)).slice(-2);
    expect(history).toEqual([
      {
        at: WAITING_SINCE.toISOString(),
        type: "validation",
        message: `Validation switched from email to dns-txt; the deadline stays ${DEADLINE}.`,
      },
      {
        at: WAITING_SINCE.toISOString(),
        type: "mail",
        message: "Validation instructions (switched) mailed to ada@example.com.",
      },
    ]);
  });

  it("switches a DNS order to email: the approver's link is mailed and the wait runs to the deadline", async () => {
    // Prepare
    const { clock, deps, engine, mailer, stored, change, newMails } = await world({
      method: "dns-txt",
    });
    clock.advance(3600);

    // Act
    const answer = await change({ method: "email", approverEmail: "Admin@Shop.Example.com" });

    // Assess
    expect(answer.status).toBe(200);
    const order = await stored();
    expect(order).toMatchObject({
      method: "email",
      approverEmail: ADMIN,
      approvers: { "shop.example.com": ADMIN, "www.shop.example.com": ADMIN },
      validationDeadline: DEADLINE,
    });
    expect(order.validations.map((validation) => validation.instructions)).toEqual([
      { method: "email", approver: ADMIN },
      { method: "email", approver: ADMIN },
    ]);
    expect(newMails().map((mail) => [mail.to, mail.subject])).toEqual([
      [["ada@example.com"], "Waiting for approval: shop.example.com"],
      [[ADMIN], "Approve a TLS certificate for shop.example.com"],
    ]);
    const [secret = ""] = secretsMailedTo(mailer, ADMIN);
    expect(order.approvalLinks).toEqual([
      { approver: ADMIN, linkHash: approvalLinkHash(secret), sentAt: clock.now().toISOString() },
    ]);
    expect(await deps.store.getApprovalLink(approvalLinkHash(secret))).toMatchObject({
      names: NAMES,
      validUntil: DEADLINE,
      state: "pending",
    });
    expect(engine.calls).toEqual([
      {
        kind: "success",
        token: "token-1",
        output: { done: false, waitSeconds: 23 * 3600, checkedAt: clock.now().toISOString() },
      },
    ]);
    expect((await deps.store.history(ORDER_ID)).map((event) => event.message)).toContain(
      `Validation switched from dns-txt to email (approved by ${ADMIN}); the deadline stays ${DEADLINE}.`,
    );
  });

  it("stores the approver as an order placed with it would: trimmed, lower case, its domain in ASCII", async () => {
    // Prepare
    const { stored, change } = await world({
      method: "dns-txt",
      names: ["xn--bcher-kva.example"],
      order: { names: [orderName("xn--bcher-kva.example", "bücher.example")] },
    });

    // Act
    const answer = await change({ method: "email", approverEmail: " Admin@Bücher.example " });

    // Assess
    expect(answer.status).toBe(200);
    expect(await stored()).toMatchObject({
      approverEmail: "admin@xn--bcher-kva.example",
      approvers: { "xn--bcher-kva.example": "admin@xn--bcher-kva.example" },
    });
  });

  it("gives an order switched to email the deprecation warning, and takes it from one switched away", async () => {
    // Prepare
    const { stored, change } = await world({
      method: "dns-txt",
      order: { warnings: [{ code: "SOME_NAME_WARNING", message: "kept" }] },
    });

    // Act
    await change({ method: "email", approverEmail: ADMIN });
    const asEmail = (await stored()).warnings.map((warning) => warning.code);
    await change({ method: "dns-cname" });
    const asDns = (await stored()).warnings.map((warning) => warning.code);

    // Assess
    expect(asEmail).toEqual(["SOME_NAME_WARNING", "EMAIL_VALIDATION_DEPRECATED"]);
    expect(asDns).toEqual(["SOME_NAME_WARNING"]);
  });

  it("switches the approver: the old approver's link dies, the new one is mailed", async () => {
    // Prepare
    const { deps, mailer, stored, change } = await world();
    const [oldLink = ""] = secretsMailedTo(mailer, ADMIN);

    // Act
    const answer = await change({ method: "email", approverEmail: HOSTMASTER });

    // Assess
    expect(answer.status).toBe(200);
    expect((await deps.store.getApprovalLink(approvalLinkHash(oldLink)))?.state).toBe("replaced");
    const [newLink = ""] = secretsMailedTo(mailer, HOSTMASTER);
    expect((await deps.store.getApprovalLink(approvalLinkHash(newLink)))?.state).toBe("pending");
    expect((await stored()).approvalLinks?.map((link) => link.approver)).toEqual([HOSTMASTER]);
    expect(approvalMails(mailer).map((mail) => mail.to)).toEqual([[ADMIN], [HOSTMASTER]]);
  });

  it("takes one approver per name", async () => {
    // Prepare
    const { stored, change } = await world({ method: "dns-txt" });

    // Act
    const answer = await change({
      method: "email",
      approverEmails: { "shop.example.com": HOSTMASTER, "www.shop.example.com": ADMIN },
    });

    // Assess
    expect(answer.status).toBe(200);
    const order = await stored();
    expect(order.approvers).toEqual({
      "shop.example.com": HOSTMASTER,
      "www.shop.example.com": ADMIN,
    });
    expect(order.validations.map((validation) => validation.instructions)).toEqual([
      { method: "email", approver: HOSTMASTER },
      { method: "email", approver: ADMIN },
    ]);
    expect(order.approvalLinks?.map((link) => link.approver)).toEqual([HOSTMASTER, ADMIN]);
  });

  it("keeps a name the CA validated already and asks the CA about the open names only", async () => {
    // Prepare
    const { deps, changes, stored, change } = await world({ method: "dns-txt" });
    const before = await stored();
    const validated = { ...before.validations[0], status: "valid" } as ValidationRecord;
    await deps.store.update(before, {
      validations: [validated, ...before.validations.slice(1)],
    });

    // Act
    const answer = await change({ method: "http-file" });

    // Assess
    expect(answer.status).toBe(200);
    expect(changes.map((input) => input.names.map((name) => name.ascii))).toEqual([
      ["www.shop.example.com"],
    ]);
    const order = await stored();
    expect(order.validations[0]).toEqual(validated);
    expect(order.validations[1]).toMatchObject({
      domain: "www.shop.example.com",
      method: "http-file",
      status: "pending",
      instructions: {
        method: "http-file",
        url: expect.stringMatching(
          /^http:\/\/www\.shop\.example\.com\/\.well-known\/pki-validation\//,
        ),
      },
    });
  });

  it("answers 409 NOT_WAITING_FOR_VALIDATION when the order does not wait for validation", async () => {
    // Prepare
    const { changes, change, engine, newMails, stored } = await world({
      order: { status: "ISSUING" },
    });
    const before = await stored();

    // Act
    const answer = await change({ method: "dns-txt" });

    // Assess
    expect(answer.status).toBe(409);
    expect(answer.json.error.code).toBe("NOT_WAITING_FOR_VALIDATION");
    expect(changes).toEqual([]);
    expect(newMails()).toEqual([]);
    expect(engine.calls).toEqual([]);
    expect(await stored()).toEqual(before);
  });

  it("answers 409 VALIDATION_UNDER_WAY once every name is published or approved", async () => {
    // Prepare: the approver approved every name; the CA is being asked.
    const { changes, change, deps, stored } = await world();
    const waiting = await stored();
    await deps.store.update(waiting, {
      validations: waiting.validations.map((v) => ({ ...v, status: "published" as const })),
    });
    const before = await stored();

    // Act
    const answer = await change({ method: "dns-txt" });

    // Assess
    expect(answer.status).toBe(409);
    expect(answer.json.error.code).toBe("VALIDATION_UNDER_WAY");
    expect(changes).toEqual([]);
    expect(await stored()).toEqual(before);
  });

  it("answers 422 NOT_OFFERED_BY_CA for email with an ACME CA", async () => {
    // Prepare
    const { changes, change, newMails } = await world({
      method: "dns-txt",
      deps: { caProfile: caProfileOf("acme") },
    });

    // Act
    const answer = await change({ method: "email", approverEmail: ADMIN });

    // Assess
    expect(answer.status).toBe(422);
    expect(answer.json.error.code).toBe("NOT_OFFERED_BY_CA");
    expect(changes).toEqual([]);
    expect(newMails()).toEqual([]);
  });

  it.each([
    [
      "an approver who cannot approve the names",
      { method: "email", approverEmail: "admin@other.example" },
      "APPROVER_NOT_ALLOWED",
    ],
    ["no approver", { method: "email" }, "APPROVER_REQUIRED"],
    [
      "an approver with a DNS method",
      { method: "dns-cname", approverEmail: ADMIN },
      "APPROVER_UNEXPECTED",
    ],
  ])("answers 422 with the rule's code for %s, changing nothing", async (_case, body, code) => {
    // Prepare
    const { changes, change, engine, newMails, stored } = await world({ method: "dns-txt" });
    const before = await stored();

    // Act
    const answer = await change(body);

    // Assess
    expect(answer.status).toBe(422);
    expect(answer.json.error.code).toBe(code);
    expect(answer.json.error.problems?.[0]?.code ?? code).toBe(code);
    expect(changes).toEqual([]);
    expect(newMails()).toEqual([]);
    expect(engine.calls).toEqual([]);
    expect(await stored()).toEqual(before);
  });

  it.each(["http-file", "email"] as const)(
    "answers 422 WILDCARD_NEEDS_DNS for a wildcard name with %s",
    async (method) => {
      // Prepare
      const { changes, change, stored } = await world({
        method: "dns-txt",
        names: ["*.example.com", "example.com"],
      });
      const before = await stored();

      // Act
      const answer = await change({ method, approverEmail: "admin@example.com" });

      // Assess
      expect(answer.status).toBe(422);
      expect(answer.json.error.code).toBe("WILDCARD_NEEDS_DNS");
      expect(changes).toEqual([]);
      expect(await stored()).toEqual(before);
    },
  );

  it("answers 422 METHOD_CHANGE_REFUSED when the CA refuses the change", async () => {
    // Prepare: the embedded CA decided on its order already.
    const { deps, placed, change, newMails } = await world({ method: "dns-txt" });
    await deps.ca.requestValidation(placed.caOrderRef);

    // Act
    const answer = await change({ method: "http-file" });

    // Assess
    expect(answer.status).toBe(422);
    expect(answer.json.error.code).toBe("METHOD_CHANGE_REFUSED");
    expect(newMails()).toEqual([]);
  });

  it("wakes nothing when no wait is parked", async () => {
    // Prepare
    const { change, engine } = await world({ order: { waitToken: undefined } });

    // Act
    const answer = await change({ method: "dns-txt" });

    // Assess
    expect(answer.status).toBe(200);
    expect(engine.calls).toEqual([]);
  });

  it("answers 200 when the parked wait was woken already (TaskNotWaiting)", async () => {
    // Prepare
    const { change, stored } = await world({ engineAnswer: taskWokenAlready });

    // Act
    const answer = await change({ method: "dns-txt" });

    // Assess
    expect(answer.status).toBe(200);
    expect((await stored()).method).toBe("dns-txt");
  });

  it("answers 500 on any other error of the engine", async () => {
    // Prepare
    const { change } = await world({
      engineAnswer: () => {
        throw new Error("ThrottlingException");
      },
    });

    // Act
    const answer = await change({ method: "dns-txt" });

    // Assess
    expect(answer.status).toBe(500);
  });

  it("answers 404 to another tenant", async () => {
    // Prepare
    const { change, changes } = await world();

    // Act
    const answer = await change({ method: "dns-txt" }, "tenant-b");

    // Assess
    expect(answer.status).toBe(404);
    expect(changes).toEqual([]);
  });
});
