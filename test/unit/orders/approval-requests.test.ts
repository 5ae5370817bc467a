import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryMailer } from "../../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../functions/domain/clock.ts";
import type { ValidationRecord } from "../../../functions/domain/order-record.ts";
import { lookUpApproval } from "../../../functions/orders/approval-decisions.ts";
import {
  approvalLinkHash,
  approvalUrl,
  isApprovalSecret,
  namesByApprover,
  sendApprovalRequests,
} from "../../../functions/orders/approval-requests.ts";
import type { Mailer } from "../../../functions/ports/mailer.ts";
import {
  DEADLINE,
  emailValidation,
  secretsMailedTo,
  storeWaitingOrder,
  WAITING_SINCE,
} from "../../support/email-approvals.ts";
import { pendingValidation } from "../../support/order-store-contract.ts";

const API = "https://api.certflow.test";
const ADMIN = "admin@example.com";
const HOSTMASTER = "hostmaster@example.org";

/** Two names for ADMIN, one for HOSTMASTER, one ADMIN approved already, one by DNS. */
const MIXED: readonly ValidationRecord[] = [
  emailValidation("shop.example.com", ADMIN),
  emailValidation("www.example.com", ADMIN),
  emailValidation("example.org", HOSTMASTER),
  emailValidation("mail.example.com", ADMIN, "published"),
  pendingValidation("dns.example.net"),
];

/** A waiting order of `validations` and what sending its approval requests needs. */
async function world(validations: readonly ValidationRecord[] = MIXED, mailer?: Mailer) {
  const clock = fixedClock(WAITING_SINCE);
  const store = createMemoryOrderStore(clock);
  const memoryMailer = createMemoryMailer();
  const order = await storeWaitingOrder(store, validations);
  const deps = { store, mailer: mailer ?? memoryMailer, clock, settings: { publicApiUrl: API } };
  const current = async () => {
    const stored = await store.get(order.orderId);
    if (stored === undefined) throw new Error("the order is gone");
    return stored;
  };
  return { clock, store, mailer: memoryMailer, deps, order, current };
}

describe("approval link secrets", () => {
  it("keeps only the SHA-256 hash of a secret, in hex", () => {
    // Prepare
    const secret = "A".repeat(43);

    // Act
    const hash = approvalLinkHash(secret);

    // Assess
    expect(hash).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["43 base64url characters", `${"aZ09-_".repeat(7)}x`, true],
    ["42 characters", "a".repeat(42), false],
    ["44 characters", "a".repeat(44), false],
    ["base64 rather than base64url", `${"a".repeat(41)}+/`, false],
    ["padding", `${"a".repeat(42)}=`, false],
    ["a path", `../${"a".repeat(40)}`, false],
    ["nothing", "", false],
  ])("takes %s as a secret: %s", (_case, text, expected) => {
    // Act
    const accepted = isApprovalSecret(text);

    // Assess
    expect(accepted).toBe(expected);
  });

  it("puts the secret in a link of the public API", () => {
    // Act
    const url = approvalUrl(API, "s".repeat(43));

    // Assess
    expect(url).toBe(`${API}/v1/approvals/${"s".repeat(43)}`);
  });
});

describe("namesByApprover", () => {
  it("groups the names still waiting for approval by approver, leaving approved and DNS names out", async () => {
    // Prepare
    const { order } = await world();

    // Act
    const grouped = namesByApprover(order);

    // Assess
    expect([...grouped]).toEqual([
      [ADMIN, ["shop.example.com", "www.example.com"]],
      [HOSTMASTER, ["example.org"]],
    ]);
  });
});

describe("sendApprovalRequests", () => {
  it("mails each approver of the waiting names one link to those names, and answers whom it mailed", async () => {
    // Prepare
    const { deps, order, mailer } = await world();

    // Act
    const mailed = await sendApprovalRequests(deps, order, {
      replace: false,
      why: "Approval request",
    });

    // Assess
    expect(mailed).toEqual([ADMIN, HOSTMASTER]);
    expect(mailer.sent.map((mail) => mail.to)).toEqual([[ADMIN], [HOSTMASTER]]);
    const adminMail = mailer.sent[0]?.text ?? "";
    expect(adminMail).toContain("  shop.example.com\n  www.example.com\n");
    expect(adminMail).not.toContain("mail.example.com");
    expect(adminMail).not.toContain("example.org");
    expect(adminMail).toContain(`until ${DEADLINE}`);
  });

  it("makes a secret of 32 random bytes in base64url, and stores only its hash", async () => {
    // Prepare
    const { deps, order, mailer, store, current } = await world();

    // Act
    await sendApprovalRequests(deps, order, { replace: false, why: "Approval request" });

    // Assess
    const [adminSecret = ""] = secretsMailedTo(mailer, ADMIN);
    const [hostmasterSecret = ""] = secretsMailedTo(mailer, HOSTMASTER);
    for (const secret of [adminSecret, hostmasterSecret]) {
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret, "base64url")).toHaveLength(32);
      expect(mailer.sent.some((mail) => mail.text.includes(approvalUrl(API, secret)))).toBe(true);
    }
    expect(adminSecret).not.toBe(hostmasterSecret);
    const link = await store.getApprovalLink(approvalLinkHash(adminSecret));
    expect(link).toEqual({
      linkHash: approvalLinkHash(adminSecret),
      orderId: order.orderId,
      tenantId: order.tenantId,
      approver: ADMIN,
      names: ["shop.example.com", "www.example.com"],
      createdAt: WAITING_SINCE.toISOString(),
      validUntil: DEADLINE,
      state: "pending",
    });
    const kept = JSON.stringify([
      link,
      await store.getApprovalLink(approvalLinkHash(hostmasterSecret)),
      await current(),
      await store.history(order.orderId),
    ]);
    expect(kept).not.toContain(adminSecret);
    expect(kept).not.toContain(hostmasterSecret);
  });

  it("records each link on the order by its hash, with a history event", async () => {
    // Prepare
    const { deps, order, mailer, store, current } = await world();

    // Act
    await sendApprovalRequests(deps, order, { replace: false, why: "Approval request" });

    // Assess
    const [adminSecret = ""] = secretsMailedTo(mailer, ADMIN);
    const [hostmasterSecret = ""] = secretsMailedTo(mailer, HOSTMASTER);
    expect((await current()).approvalLinks).toEqual([
      {
        approver: ADMIN,
        linkHash: approvalLinkHash(adminSecret),
        sentAt: WAITING_SINCE.toISOString(),
      },
      {
        approver: HOSTMASTER,
        linkHash: approvalLinkHash(hostmasterSecret),
        sentAt: WAITING_SINCE.toISOString(),
      },
    ]);
    const mails = (await store.history(order.orderId)).filter((event) => event.type === "mail");
    expect(mails).toEqual([
      {
        at: WAITING_SINCE.toISOString(),
        type: "mail",
        message: `Approval request mailed to ${ADMIN} for shop.example.com, www.example.com.`,
      },
      {
        at: WAITING_SINCE.toISOString(),
        type: "mail",
        message: `Approval request mailed to ${HOSTMASTER} for example.org.`,
      },
    ]);
  });

  it("without replace, skips an approver who has a link already and leaves that link working", async () => {
    // Prepare
    const { deps, order, mailer, store, clock, current } = await world();
    await sendApprovalRequests(deps, order, { replace: false, why: "Approval request" });
    const [firstSecret = ""] = secretsMailedTo(mailer, ADMIN);
    // Only ADMIN's link was recorded before the step stopped.
    const recorded = await current();
    await store.update(recorded, {
      approvalLinks: recorded.approvalLinks?.filter((link) => link.approver === ADMIN),
    });
    clock.advance(60);

    // Act
    const mailed = await sendApprovalRequests(deps, await current(), {
      replace: false,
      why: "Approval request",
    });

    // Assess
    expect(mailed).toEqual([HOSTMASTER]);
    expect(secretsMailedTo(mailer, ADMIN)).toEqual([firstSecret]);
    expect(secretsMailedTo(mailer, HOSTMASTER)).toHaveLength(2);
    expect((await store.getApprovalLink(approvalLinkHash(firstSecret)))?.state).toBe("pending");
    expect((await current()).approvalLinks?.map((link) => link.approver)).toEqual([
      ADMIN,
      HOSTMASTER,
    ]);
  });

  it("with replace, mails a new link and settles the approver's earlier one as replaced", async () => {
    // Prepare
    const { deps, order, mailer, store, clock, current } = await world();
    await sendApprovalRequests(deps, order, { replace: false, why: "Approval request" });
    const [oldAdmin = ""] = secretsMailedTo(mailer, ADMIN);
    const [oldHostmaster = ""] = secretsMailedTo(mailer, HOSTMASTER);
    clock.advance(600);
    const resentAt = clock.now().toISOString();

    // Act
    const mailed = await sendApprovalRequests(deps, await current(), {
      replace: true,
      why: "Approval request (sent again)",
    });

    // Assess
    expect(mailed).toEqual([ADMIN, HOSTMASTER]);
    const [, newAdmin = ""] = secretsMailedTo(mailer, ADMIN);
    const [, newHostmaster = ""] = secretsMailedTo(mailer, HOSTMASTER);
    expect(newAdmin).not.toBe(oldAdmin);
    expect(await store.getApprovalLink(approvalLinkHash(oldAdmin))).toMatchObject({
      state: "replaced",
      decidedAt: resentAt,
    });
    expect(await store.getApprovalLink(approvalLinkHash(oldHostmaster))).toMatchObject({
      state: "replaced",
    });
    expect(await store.getApprovalLink(approvalLinkHash(newAdmin))).toMatchObject({
      state: "pending",
      createdAt: resentAt,
    });
    expect((await current()).approvalLinks).toEqual([
      { approver: ADMIN, linkHash: approvalLinkHash(newAdmin), sentAt: resentAt },
      { approver: HOSTMASTER, linkHash: approvalLinkHash(newHostmaster), sentAt: resentAt },
    ]);
    const lookup = await lookUpApproval(store, oldAdmin, clock.now());
    expect(lookup.ok === false && lookup.refusal.code).toBe("APPROVAL_LINK_REPLACED");
    expect((await store.history(order.orderId)).at(-1)?.message).toBe(
      `Approval request (sent again) mailed to ${HOSTMASTER} for example.org.`,
    );
  });

  it("stores the link before its mail goes, and records it on the order after", async () => {
    // Prepare: the mailer looks at the store as the mail leaves.
    const seen: { stored: string | undefined; onOrder: boolean }[] = [];
    const mailer: Mailer = {
      async send(message) {
        const secret = /\/v1\/approvals\/([A-Za-z0-9_-]{43})/.exec(message.text)?.[1] ?? "";
        const hash = approvalLinkHash(secret);
        const order = await setUp.store.get("ord_email1");
        seen.push({
          stored: (await setUp.store.getApprovalLink(hash))?.state,
          onOrder: (order?.approvalLinks ?? []).some((link) => link.linkHash === hash),
        });
      },
    };
    const setUp = await world([emailValidation("shop.example.com", ADMIN)], mailer);

    // Act
    await sendApprovalRequests(setUp.deps, setUp.order, {
      replace: false,
      why: "Approval request",
    });

    // Assess
    expect(seen).toEqual([{ stored: "pending", onOrder: false }]);
    expect((await setUp.current()).approvalLinks).toHaveLength(1);
  });

  it("when the mail fails, keeps the earlier link working and the order unchanged", async () => {
    // Prepare
    let failing = false;
    const memory = createMemoryMailer();
    const mailer: Mailer = {
      async send(message) {
        if (failing) throw new Error("SES is down");
        await memory.send(message);
      },
    };
    const setUp = await world([emailValidation("shop.example.com", ADMIN)], mailer);
    await sendApprovalRequests(setUp.deps, setUp.order, {
      replace: false,
      why: "Approval request",
    });
    const [earlier = ""] = secretsMailedTo(memory, ADMIN);
    const before = await setUp.current();
    failing = true;

    // Act
    const resend = await sendApprovalRequests(setUp.deps, before, {
      replace: true,
      why: "Approval request (sent again)",
    }).catch((error: unknown) => error);

    // Assess
    expect(resend).toBeInstanceOf(Error);
    expect((await setUp.store.getApprovalLink(approvalLinkHash(earlier)))?.state).toBe("pending");
    expect(await setUp.current()).toEqual(before);
  });

  it("mails nothing when no name waits for an approver", async () => {
    // Prepare
    const { deps, order, mailer, current } = await world([
      emailValidation("shop.example.com", ADMIN, "published"),
      pendingValidation("dns.example.net"),
    ]);

    // Act
    const mailed = await sendApprovalRequests(deps, order, {
      replace: true,
      why: "Approval request",
    });

    // Assess
    expect(mailed).toEqual([]);
    expect(mailer.sent).toEqual([]);
    expect((await current()).approvalLinks).toBeUndefined();
  });

  it("gives a link of an order without a deadline no time at all", async () => {
    // Prepare
    const clock = fixedClock(WAITING_SINCE);
    const store = createMemoryOrderStore(clock);
    const mailer = createMemoryMailer();
    const order = await storeWaitingOrder(store, [emailValidation("shop.example.com", ADMIN)], {
      validationDeadline: undefined,
    });

    // Act
    await sendApprovalRequests({ store, mailer, clock, settings: { publicApiUrl: API } }, order, {
      replace: false,
      why: "Approval request",
    });

    // Assess
    const [secret = ""] = secretsMailedTo(mailer, ADMIN);
    expect((await store.getApprovalLink(approvalLinkHash(secret)))?.validUntil).toBe(
      WAITING_SINCE.toISOString(),
    );
    const lookup = await lookUpApproval(store, secret, clock.now());
    expect(lookup.ok === false && lookup.refusal.code).toBe("APPROVAL_LINK_EXPIRED");
  });
});
