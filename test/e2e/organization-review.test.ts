import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { pngImage } from "../support/letter-images.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";
import { openssl } from "./support/openssl.ts";

const TOKENS =
  "ov-token:tenant-ov:customer,ov-other:tenant-other:customer,operator-token:ops:operator";

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let service: RunningService;
let customer: ApiClient;
let operator: ApiClient;
let shortReview: RunningService;

const ORGANIZATION = { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" };
const CONTACT = { name: "Ada", email: "ada@certflow.test", phone: "+49 30 1234567" };

function settings(extra: Record<string, string> = {}): Record<string, string> {
  return {
    CERTFLOW_API_TOKENS: TOKENS,
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
    CERTFLOW_CHECK_EARLY_SECONDS: "1",
    CERTFLOW_CHECK_LATE_SECONDS: "2",
    ...extra,
  };
}

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  service = await startLocalService(settings());
  customer = new ApiClient(service.url, "ov-token");
  operator = new ApiClient(service.url, "operator-token");
});

afterAll(async () => {
  await service?.stop();
  await shortReview?.stop();
  await dns?.close();
});

async function mails(of: RunningService) {
  const mailUrl = /Mail captured by the local SES: (http:\/\/127\.0\.0\.1:\d+)/.exec(
    of.output(),
  )?.[1];
  const store = (await fetch(`${mailUrl}/store`).then((r) => r.json())) as { emails: any[] };
  return store.emails.map((mail) => ({
    subject: String(mail.subject),
    text: String(mail.body.text),
  }));
}

async function submit(client: ApiClient, domain: string, extra: object = {}) {
  const answer = await client.request("POST", "/v1/orders", {
    body: {
      domains: [domain],
      product: "OV",
      validation: { method: "dns-txt" },
      contact: CONTACT,
      organization: ORGANIZATION,
      ...extra,
    },
  });
  expect(answer.status, JSON.stringify(answer.json)).toBe(202);
  return String(answer.json.id);
}

/** Publishes the order's TXT records and presses "verify now". */
async function publish(client: ApiClient, orderId: string) {
  const order = await client.waitForOrder(orderId, (o) => o.status === "PENDING_VALIDATION");
  for (const validation of order.validations) {
    dns.setTxt(validation.instructions.host, [validation.instructions.value]);
  }
  await client.request("POST", `/v1/orders/${orderId}/checks`);
}

async function uploadLetter(client: ApiClient, orderId: string) {
  const answer = await fetch(`${client.baseUrl}/v1/orders/${orderId}/documents`, {
    method: "POST",
    headers: { authorization: `Bearer ${client.token}`, "content-type": "image/png" },
    body: new Uint8Array(pngImage({ width: 1240, height: 1754 })),
  });
  expect(answer.status).toBe(201);
  return ((await answer.json()) as { id: string }).id;
}

async function certificateText(client: ApiClient, orderId: string): Promise<string> {
  const pem = await client.request("GET", `/v1/orders/${orderId}/certificate?format=pem`);
  return openssl(["x509", "-noout", "-subject", "-text", "-nameopt", "RFC2253"], pem.bytes);
}

describe("OV/EV organization review through the local host", () => {
  it("validates the names, waits in PENDING_REVIEW for the operator, and issues an OV certificate", async () => {
    // Prepare
    const orderId = await submit(customer, "ov.certflow.test");
    const letterId = await uploadLetter(customer, orderId);
    await publish(customer, orderId);
    const inReview = await customer.waitForOrder(
      orderId,
      (o) => o.status === "PENDING_REVIEW",
      30_000,
    );
    const queue = await operator.request("GET", "/v1/reviews");
    const letter = await operator.request("GET", `/v1/orders/${orderId}/documents/${letterId}`);
    const notForOthers = await new ApiClient(service.url, "ov-other").request(
      "GET",
      `/v1/orders/${orderId}/documents/${letterId}`,
    );

    // Act
    const approved = await operator.request("POST", `/v1/orders/${orderId}/review`, {
      body: { decision: "approve" },
    });
    const issued = await customer.waitForOrder(orderId, (o) => o.status === "ISSUED", 30_000);

    // Assess
    expect(inReview.review.status).toBe("awaiting-decision");
    expect(inReview.validations.every((v: any) => v.status === "valid")).toBe(true);
    expect(queue.json.reviews.map((r: any) => r.orderId)).toContain(orderId);
    expect(letter.status).toBe(200);
    expect(letter.headers.get("content-type")).toBe("image/png");
    expect(notForOthers.status).toBe(404);
    expect(approved.status).toBe(200);
    expect(issued.review.status).toBe("approved");
    const text = await certificateText(customer, orderId);
    expect(text).toContain("O=Example GmbH");
    expect(text).toContain("L=Berlin");
    expect(text).toContain("C=DE");
    expect(text).toContain("2.23.140.1.2.2");
    const history = JSON.stringify(
      (await customer.request("GET", `/v1/orders/${orderId}/history`)).json,
    );
    expect(history).toContain("PENDING_REVIEW");
    expect(history).toContain("The organization review was approved");
    await operator.waitForExecutionEnd(issued.execution.name);
    const sent = await mails(service);
    expect(sent.some((m) => m.subject === "Certificate issued for ov.certflow.test")).toBe(true);
  });

  it("keeps a rejected order waiting, takes a corrected resubmission, and issues with the correction", async () => {
    // Prepare
    const orderId = await submit(customer, "reject.certflow.test", {
      organization: { ...ORGANIZATION, name: "Exampel GmbH" },
    });
    await uploadLetter(customer, orderId);
    const rejected = await operator.request("POST", `/v1/orders/${orderId}/review`, {
      body: {
        decision: "reject",
        reason: "The letter names Example GmbH, the order Exampel GmbH.",
      },
    });
    const noReason = await operator.request("POST", `/v1/orders/${orderId}/review`, {
      body: { decision: "reject" },
    });
    await publish(customer, orderId);
    const waiting = await customer.waitForOrder(
      orderId,
      (o) => o.status === "PENDING_REVIEW",
      30_000,
    );

    // Act
    const resubmitted = await customer.request("POST", `/v1/orders/${orderId}/resubmission`, {
      body: { organization: ORGANIZATION },
    });
    const approved = await operator.request("POST", `/v1/orders/${orderId}/review`, {
      body: { decision: "approve" },
    });
    const issued = await customer.waitForOrder(orderId, (o) => o.status === "ISSUED", 30_000);

    // Assess
    expect(rejected.status).toBe(200);
    expect(noReason.status).toBe(422);
    expect(waiting.review).toMatchObject({
      status: "rejected",
      reason: expect.stringContaining("Exampel"),
    });
    expect(resubmitted.status).toBe(200);
    expect(resubmitted.json.review.status).toBe("awaiting-decision");
    expect(approved.status).toBe(200);
    expect(await certificateText(customer, orderId)).toContain("O=Example GmbH");
    const rejection = (await mails(service)).find((m) =>
      m.subject.startsWith("Organization review: changes needed for reject.certflow.test"),
    );
    expect(rejection?.text).toContain("Exampel");
    await operator.waitForExecutionEnd(issued.execution.name);
  });

  it("skips the review of a later order of an approved organization, and says why", async () => {
    // Prepare: the organization of the first test is approved for this tenant.
    const first = await submit(customer, "first.certflow.test");
    await uploadLetter(customer, first);
    await operator.request("POST", `/v1/orders/${first}/review`, { body: { decision: "approve" } });

    // Act
    const second = await submit(customer, "second.certflow.test");
    const otherTenant = await submit(new ApiClient(service.url, "ov-other"), "other.certflow.test");
    await publish(customer, second);
    const issued = await customer.waitForOrder(second, (o) => o.status === "ISSUED", 30_000);

    // Assess
    expect(issued.review).toMatchObject({
      status: "approved",
      reusedFrom: expect.stringMatching(/^ord_/),
    });
    const history = JSON.stringify(
      (await customer.request("GET", `/v1/orders/${second}/history`)).json,
    );
    expect(history).toContain("The organization review is skipped");
    expect(history).toContain("398 days");
    const other = await new ApiClient(service.url, "ov-other").request(
      "GET",
      `/v1/orders/${otherTenant}`,
    );
    expect(other.json.review.status).toBe("awaiting-document");
    await operator.waitForExecutionEnd(issued.execution.name);
  });

  it("issues an EV certificate with the registration details and the EV policy", async () => {
    const orderId = await submit(customer, "ev.certflow.test", {
      product: "EV",
      ev: {
        jurisdictionCountry: "DE",
        businessCategory: "Private Organization",
        registrationNumber: "HRB 12345",
      },
    });
    await uploadLetter(customer, orderId);
    await operator.request("POST", `/v1/orders/${orderId}/review`, {
      body: { decision: "approve" },
    });
    await publish(customer, orderId);
    const issued = await customer.waitForOrder(orderId, (o) => o.status === "ISSUED", 30_000);

    const text = await certificateText(customer, orderId);
    expect(text).toContain("2.23.140.1.1");
    expect(text).toContain("HRB 12345");
    expect(text).toContain("Private Organization");
    expect(text).toMatch(/jurisdictionC(ountryName)?=DE/);
    await operator.waitForExecutionEnd(issued.execution.name);
  });

  it("fails REVIEW_TIMED_OUT when no decision comes before the review deadline", async () => {
    shortReview = await startLocalService(settings({ CERTFLOW_REVIEW_TIMEOUT_SECONDS: "4" }));
    const client = new ApiClient(shortReview.url, "ov-token");
    const orderId = await submit(client, "slow.certflow.test");
    await publish(client, orderId);

    const failed = await client.waitForOrder(orderId, (o) => o.status === "FAILED", 30_000);

    expect(failed.failure.code).toBe("REVIEW_TIMED_OUT");
    expect(failed.failure.message).toContain("letter");
    const failure = (await mails(shortReview)).find(
      (m) => m.subject === "Order failed: slow.certflow.test",
    );
    expect(failure?.text).toContain("REVIEW_TIMED_OUT");
    // No letter came: the instructions asked for it.
    const instructions = (await mails(shortReview)).find(
      (m) => m.subject === "Action needed: publish the validation for slow.certflow.test",
    );
    expect(instructions?.text).toContain("upload the signed confirmation letter");
  });
});
