import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { EmbeddedCertificateAuthority } from "../../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { createMemoryBlobStore } from "../../../functions/adapters/memory/memory-blob-store.ts";
import { createMemoryMailer } from "../../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../../functions/adapters/memory/memory-order-store.ts";
import { isRawBody } from "../../../functions/api/route-declaration.ts";
import type { AllDependencies } from "../../../functions/composition/needs.ts";
import { loadServiceCatalog } from "../../../functions/composition/service-catalog.ts";
import { fixedClock } from "../../../functions/domain/clock.ts";
import type { OrderStatusName } from "../../../functions/domain/order-record.ts";
import { exportPrivateKeyPkcs8 } from "../../../functions/pki/key-pairs.ts";
import { caProfileOf } from "../../../functions/ports/certificate-authority.ts";
import type { ExecutionDescription } from "../../../functions/ports/workflow-engine.ts";
import { CertificateVault } from "../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../functions/vault/key-passphrases.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../functions/workflow/workflow-settings.ts";
import { pngImage } from "../../support/letter-images.ts";
import { callRoute, type RouteCall } from "../../support/route-calls.ts";
import { hierarchy, leafFor } from "../pki/ca-fixtures.ts";

const { routes } = await loadServiceCatalog();

/** The order every cell is about: tenant-a's, with a key the service made. */
const ORDER_ID = "ord_matrix1";
const EXECUTION = `${ORDER_ID}-1`;
/** tenant-a's webhook endpoint in every world. */
const WEBHOOK = "/v1/webhooks/wh_0123456789abcdef0123";
const webhookOwnerOnly = { owner: 200, "other tenant": 404, operator: 404, "no token": 401 };
const { intermediate } = await hierarchy();
const leaf = await leafFor(intermediate, ["shop.example.com"]);
const leafKey = await exportPrivateKeyPkcs8(leaf.keys.privateKey);

const CALLERS = {
  owner: { tenant: "tenant-a", role: "customer" },
  "other tenant": { tenant: "tenant-b", role: "customer" },
  operator: { tenant: "ops", role: "operator" },
  "no token": { tenant: null },
} as const satisfies Record<string, RouteCall>;
type Caller = keyof typeof CALLERS;

interface Cell {
  /** The route's name, as declared. */
  readonly route: string;
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly call?: RouteCall;
  /**
   * The order's status when the call is made; PENDING_REVIEW is an OV order waiting for its
   * review, its confirmation letter LETTER_ID uploaded.
   */
  readonly order: "ISSUED" | "PENDING_VALIDATION" | "PENDING_REVIEW";
  readonly expected: Readonly<Record<Caller, number>>;
}

const ORDER_BODY = {
  domains: ["shop.example.com"],
  validation: { method: "dns-txt" },
  contact: { name: "Ada", email: "ada@example.com" },
};
const PFX = { headers: { "X-Pfx-Password": "correct-horse-battery" } };
const ORDER = `/v1/orders/${ORDER_ID}`;
const LETTER_ID = "doc_0123456789abcdef";
const LETTER = pngImage({ width: 12, height: 17 });

const everyone = (status: number) => ({
  owner: status,
  "other tenant": status,
  operator: status,
  "no token": status,
});
const signedIn = (status: number) => ({ ...everyone(status), "no token": 401 });
const ownerAndOperators = { owner: 200, "other tenant": 404, operator: 200, "no token": 401 };
const ownerOnly = { owner: 200, "other tenant": 404, operator: 403, "no token": 401 };

/** Every declared route × every kind of caller, with the status each must get. */
const MATRIX: readonly Cell[] = [
  {
    route: "SubmitOrder",
    label: "submit",
    method: "POST",
    path: "/v1/orders",
    call: { body: ORDER_BODY },
    order: "ISSUED",
    expected: signedIn(202),
  },
  {
    route: "ListOrders",
    label: "list",
    method: "GET",
    path: "/v1/orders",
    order: "ISSUED",
    expected: signedIn(200),
  },
  {
    route: "GetOrder",
    label: "read",
    method: "GET",
    path: ORDER,
    order: "ISSUED",
    expected: ownerAndOperators,
  },
  {
    route: "GetOrderHistory",
    label: "history",
    method: "GET",
    path: `${ORDER}/history`,
    order: "ISSUED",
    expected: ownerAndOperators,
  },
  {
    route: "RunChecks",
    label: "check now",
    method: "POST",
    path: `${ORDER}/checks`,
    order: "PENDING_VALIDATION",
    expected: ownerAndOperators,
  },
  {
    route: "RunInstallationCheck",
    label: "installation check (no certificate summary: refused)",
    method: "POST",
    path: `${ORDER}/installation-check`,
    order: "ISSUED",
    expected: { owner: 409, "other tenant": 404, operator: 409, "no token": 401 },
  },
  {
    route: "DownloadCertificate",
    label: "pem (no key)",
    method: "GET",
    path: `${ORDER}/certificate?format=pem`,
    order: "ISSUED",
    expected: ownerAndOperators,
  },
  ...(["nginx", "apache", "iis", "tomcat"] as const).map(
    (format): Cell => ({
      route: "DownloadCertificate",
      label: `${format} (holds the key)`,
      method: "GET",
      path: `${ORDER}/certificate?format=${format}`,
      call: PFX,
      order: "ISSUED",
      expected: ownerOnly,
    }),
  ),
  {
    route: "CancelOrder",
    label: "cancel",
    method: "POST",
    path: `${ORDER}/cancellation`,
    order: "PENDING_VALIDATION",
    expected: ownerAndOperators,
  },
  {
    route: "RevokeCertificate",
    label: "revoke",
    method: "POST",
    path: `${ORDER}/revocation`,
    call: { body: { reason: "superseded" } },
    order: "ISSUED",
    expected: ownerAndOperators,
  },
  {
    route: "UploadDocument",
    label: "confirmation letter upload",
    method: "POST",
    path: `${ORDER}/documents`,
    call: { bytes: LETTER, headers: { "content-type": "image/png" } },
    order: "PENDING_REVIEW",
    expected: { owner: 201, "other tenant": 404, operator: 403, "no token": 401 },
  },
  {
    route: "GetDocument",
    label: "confirmation letter",
    method: "GET",
    path: `${ORDER}/documents/${LETTER_ID}`,
    order: "PENDING_REVIEW",
    expected: ownerAndOperators,
  },
  {
    route: "GetApproval",
    label: "approval link (unknown)",
    method: "GET",
    path: `/v1/approvals/${"A".repeat(43)}`,
    order: "PENDING_VALIDATION",
    expected: everyone(404),
  },
  {
    route: "DecideApproval",
    label: "approval decision (unknown link)",
    method: "POST",
    path: `/v1/approvals/${"A".repeat(43)}`,
    call: { body: { decision: "approve" } },
    order: "PENDING_VALIDATION",
    expected: everyone(404),
  },
  {
    route: "ResendApproval",
    label: "resend approval (none pending)",
    method: "POST",
    path: `${ORDER}/validation/resend`,
    order: "PENDING_VALIDATION",
    expected: { owner: 409, "other tenant": 404, operator: 409, "no token": 401 },
  },
  {
    route: "ChangeValidation",
    label: "switch method",
    method: "PUT",
    path: `${ORDER}/validation`,
    call: { body: { method: "http-file" } },
    order: "PENDING_VALIDATION",
    expected: { owner: 409, "other tenant": 404, operator: 409, "no token": 401 },
  },
  {
    route: "ListReviews",
    label: "review queue",
    method: "GET",
    path: "/v1/reviews",
    order: "PENDING_REVIEW",
    expected: { owner: 403, "other tenant": 403, operator: 200, "no token": 401 },
  },
  {
    route: "DecideReview",
    label: "review decision",
    method: "POST",
    path: `${ORDER}/review`,
    call: { body: { decision: "approve" } },
    order: "PENDING_REVIEW",
    expected: { owner: 403, "other tenant": 403, operator: 200, "no token": 401 },
  },
  {
    route: "ResubmitReview",
    label: "review resubmission",
    method: "POST",
    path: `${ORDER}/resubmission`,
    call: { body: { contact: { name: "Ada", email: "ada@example.com", phone: "+49 30 1234" } } },
    order: "PENDING_REVIEW",
    expected: { owner: 200, "other tenant": 404, operator: 403, "no token": 401 },
  },
  {
    route: "RenewOrder",
    label: "renew now (no certificate summary: refused)",
    method: "POST",
    path: `${ORDER}/renewals`,
    call: { body: {} },
    order: "ISSUED",
    expected: { owner: 409, "other tenant": 404, operator: 409, "no token": 401 },
  },
  {
    route: "ChangeRenewal",
    label: "auto-renewal off",
    method: "PUT",
    path: `${ORDER}/renewal`,
    call: { body: { autoRenew: false } },
    order: "ISSUED",
    expected: ownerAndOperators,
  },
  {
    route: "StartRenewalRun",
    label: "renewal run",
    method: "POST",
    path: "/v1/renewal-runs",
    order: "ISSUED",
    expected: { owner: 403, "other tenant": 403, operator: 202, "no token": 401 },
  },
  {
    route: "GetExecution",
    label: "execution history",
    method: "GET",
    path: `/v1/executions/${EXECUTION}`,
    order: "ISSUED",
    expected: { owner: 403, "other tenant": 403, operator: 200, "no token": 401 },
  },
  {
    route: "GetApproverEmails",
    label: "approver addresses",
    method: "GET",
    path: "/v1/domains/shop.example.com/approver-emails",
    order: "ISSUED",
    expected: signedIn(200),
  },
  {
    route: "GetCaRoot",
    label: "CA root",
    method: "GET",
    path: "/v1/ca/root.pem",
    order: "ISSUED",
    expected: everyone(200),
  },
  {
    route: "GetCaCrl",
    label: "CA CRL",
    method: "GET",
    path: "/v1/ca/crl",
    order: "ISSUED",
    expected: everyone(200),
  },
  {
    route: "WhoAmI",
    label: "the caller",
    method: "GET",
    path: "/v1/whoami",
    order: "ISSUED",
    expected: signedIn(200),
  },
  {
    route: "GetServiceInfo",
    label: "service facts",
    method: "GET",
    path: "/v1/service-info",
    order: "ISSUED",
    expected: everyone(200),
  },
  {
    route: "GetOpenApi",
    label: "OpenAPI document",
    method: "GET",
    path: "/v1/openapi.json",
    order: "ISSUED",
    expected: everyone(200),
  },
  {
    route: "CreateWebhook",
    label: "register a webhook (the caller's own tenant)",
    method: "POST",
    path: "/v1/webhooks",
    call: { body: { url: "https://hooks.example.com/certflow" } },
    order: "ISSUED",
    expected: signedIn(201),
  },
  {
    route: "ListWebhooks",
    label: "the caller's tenant's webhooks",
    method: "GET",
    path: "/v1/webhooks",
    order: "ISSUED",
    expected: signedIn(200),
  },
  {
    route: "PingWebhook",
    label: "ping a webhook",
    method: "POST",
    path: `${WEBHOOK}/ping`,
    order: "ISSUED",
    expected: webhookOwnerOnly,
  },
  {
    route: "ListWebhookDeliveries",
    label: "a webhook's deliveries",
    method: "GET",
    path: `${WEBHOOK}/deliveries`,
    order: "ISSUED",
    expected: webhookOwnerOnly,
  },
  {
    route: "DeleteWebhook",
    label: "delete a webhook",
    method: "DELETE",
    path: WEBHOOK,
    order: "ISSUED",
    expected: { ...webhookOwnerOnly, owner: 204 },
  },
];

const EXECUTION_DESCRIPTION: ExecutionDescription = {
  name: EXECUTION,
  status: "RUNNING",
  startedAt: "2027-01-10T08:00:00.000Z",
  events: [],
};

/** Fresh dependencies holding tenant-a's order in the given status, key and certificate stored. */
async function world(status: Cell["order"]): Promise<AllDependencies> {
  const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  const vault = new CertificateVault(
    createMemoryBlobStore(),
    derivedKeyPassphrases(new Uint8Array(32)),
  );
  const dcv = { check: async () => ({ ok: true as const }) };
  let next = 0;
  const deps: AllDependencies = {
    clock,
    store: createMemoryOrderStore(clock),
    vault,
    mailer: createMemoryMailer(),
    dcv,
    ca: new EmbeddedCertificateAuthority({ vault, dcv, clock }),
    workflow: {
      startExecution: async () => undefined,
      sendTaskSuccess: async () => undefined,
      sendTaskFailure: async () => undefined,
      stopExecution: async () => undefined,
      describeExecution: async (name) => (name === EXECUTION ? EXECUTION_DESCRIPTION : undefined),
    },
    settings: DEFAULT_WORKFLOW_SETTINGS,
    caProfile: caProfileOf("embedded"),
    newOrderId: () => `ord_matrix${++next}`,
    serviceInfo: {},
    logError: () => undefined,
    webhookClient: {
      checkEndpoint: async () => ({ ok: true }),
      post: async () => ({ kind: "answered", statusCode: 200, durationMs: 1, excerpt: "" }),
    },
  };
  await deps.store.putWebhookEndpoint({
    endpointId: "wh_0123456789abcdef0123",
    tenantId: "tenant-a",
    url: "https://hooks.example.com/certflow",
    createdAt: "2027-01-10T08:00:00.000Z",
    state: "active",
  });
  await vault.putWebhookSecret("wh_0123456789abcdef0123", `whsec_${"A".repeat(43)}=`);
  const submitted = await callRoute(deps, "POST", "/v1/orders", { body: ORDER_BODY });
  expect(submitted.json.id).toBe(ORDER_ID);
  const path: OrderStatusName[] =
    status === "ISSUED"
      ? ["PENDING_VALIDATION", "ISSUING", "ISSUED"]
      : status === "PENDING_REVIEW"
        ? ["PENDING_VALIDATION", "PENDING_REVIEW"]
        : ["PENDING_VALIDATION"];
  for (const next of path) {
    const current = await deps.store.get(ORDER_ID);
    if (current === undefined) throw new Error("order missing");
    await deps.store.update(current, {
      status: next,
      executionName: EXECUTION,
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
  }
  if (status === "PENDING_REVIEW") {
    const current = await deps.store.get(ORDER_ID);
    if (current === undefined) throw new Error("order missing");
    await vault.putDocument(ORDER_ID, LETTER_ID, LETTER, "image/png");
    await deps.store.update(current, {
      product: "OV",
      organization: { name: "Example", locality: "Berlin", state: "Berlin", country: "DE" },
      review: { status: "awaiting-decision", deadline: "2027-01-20T08:00:00.000Z" },
      documents: [
        {
          id: LETTER_ID,
          contentType: "image/png",
          size: LETTER.length,
          width: 12,
          height: 17,
          uploadedAt: "2027-01-10T08:00:00.000Z",
        },
      ],
    });
  }
  await vault.putPrivateKey(ORDER_ID, leafKey);
  if (status === "ISSUED") {
    await vault.putCertificate(ORDER_ID, leaf.certificatePem, [intermediate.certificatePem]);
  }
  await deps.ca.rootCertificatePem();
  await deps.ca.refreshRevocationList?.();
  return deps;
}

describe("who may call each declared route", () => {
  it("has a row for every declared route, so a new route joins the matrix", () => {
    const declared = routes.map(({ declaration }) => declaration.name).sort();

    const covered = [...new Set(MATRIX.map((cell) => cell.route))].sort();

    expect(covered).toEqual(declared);
  });

  it.each(
    MATRIX.flatMap((cell) =>
      (Object.keys(CALLERS) as Caller[]).map(
        (caller) => [cell.route, cell.label, caller, cell.expected[caller], cell] as const,
      ),
    ),
  )("%s %s, %s: %i", async (_route, _label, caller, expected, cell) => {
    const deps = await world(cell.order);

    const answer = await callRoute(deps, cell.method, cell.path, {
      ...cell.call,
      ...CALLERS[caller],
    });

    expect(answer.status, JSON.stringify(answer.json)).toBe(expected);
  });

  it.each(["nginx", "apache", "iis", "tomcat"])(
    "refuses an operator the %s download with a named code, and gives the owner the key",
    async (format) => {
      const deps = await world("ISSUED");

      const operator = await callRoute(deps, "GET", `${ORDER}/certificate?format=${format}`, {
        ...PFX,
        ...CALLERS.operator,
      });
      const owner = await callRoute(deps, "GET", `${ORDER}/certificate?format=${format}`, {
        ...PFX,
        ...CALLERS.owner,
      });

      expect(operator.json.error.code).toBe("KEY_DOWNLOAD_OWNER_ONLY");
      expect(operator.json.error.message).toMatch(/private key/);
      expect(owner.status).toBe(200);
      expect(owner.result.isBase64Encoded).toBe(true);
    },
  );

  it("lets an operator download the nginx bundle of an order placed with the customer's CSR: no key inside", async () => {
    const deps = await world("ISSUED");
    const order = await deps.store.get(ORDER_ID);
    if (order === undefined) throw new Error("order missing");
    await deps.store.update(order, { keySource: { kind: "uploaded-csr" } });

    const answer = await callRoute(deps, "GET", `${ORDER}/certificate?format=nginx`, {
      ...CALLERS.operator,
    });

    expect(answer.status).toBe(200);
    const files = Object.keys(unzipSync(Buffer.from(answer.result.body, "base64")));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((name) => name.endsWith(".key"))).toEqual([]);
  });

  it.each([
    ["cancel", "PENDING_VALIDATION", `${ORDER}/cancellation`, undefined, "CANCELLED"],
    ["revoke", "ISSUED", `${ORDER}/revocation`, { reason: "superseded" }, "REVOKED"],
  ] as const)(
    "records an operator's %s in the order history with the operator's role and tenant",
    async (_action, status, path, body, outcome) => {
      const deps = await world(status);

      const answer = await callRoute(deps, "POST", path, { body, ...CALLERS.operator });

      expect(answer.json.status).toBe(outcome);
      const last = (await deps.store.history(ORDER_ID)).at(-1);
      expect(last).toMatchObject({ status: outcome, by: { role: "operator", tenantId: "ops" } });
      expect(last?.message).toMatch(/an operator \(tenant ops\)/);
    },
  );

  it("records the customer's own cancel as the customer's", async () => {
    const deps = await world("PENDING_VALIDATION");

    await callRoute(deps, "POST", `${ORDER}/cancellation`, CALLERS.owner);

    const last = (await deps.store.history(ORDER_ID)).at(-1);
    expect(last).toMatchObject({ by: { role: "customer", tenantId: "tenant-a" } });
    expect(last?.message).toMatch(/by the customer/);
  });
});

describe("what the route runner answers a mistaken request", () => {
  it.each(
    routes.filter(
      ({ declaration }) => declaration.method === "POST" && !isRawBody(declaration.body),
    ),
  )(
    "$declaration.name: a body over 1 MiB answers 413 naming the limit",
    async ({ declaration }) => {
      const deps = await world("PENDING_VALIDATION");
      const path = declaration.path.replace("{id}", ORDER_ID);

      const operatorsOnly =
        declaration.access !== "public" && !declaration.access.includes("customer");
      const answer = await callRoute(deps, "POST", path, {
        rawBody: JSON.stringify({ padding: "x".repeat(1024 * 1024) }),
        ...(operatorsOnly ? CALLERS.operator : CALLERS.owner),
      });

      expect(answer.status).toBe(413);
      expect(answer.json.error).toMatchObject({ code: "BODY_TOO_LARGE" });
      expect(answer.json.error.message).toContain("1 MiB");
    },
  );

  it.each(routes.filter(({ declaration }) => isRawBody(declaration.body)))(
    "$declaration.name: bytes over its limit answer its own 413, before their Content-Type is looked at",
    async ({ declaration }) => {
      const deps = await world("PENDING_REVIEW");
      const path = declaration.path.replace("{id}", ORDER_ID);
      const body = declaration.body;
      if (!isRawBody(body)) throw new Error("not a raw body");

      const answer = await callRoute(deps, declaration.method, path, {
        bytes: new Uint8Array(body.maxBytes + 1),
        headers: { "content-type": "application/x-unknown" },
        ...CALLERS.owner,
      });

      expect(answer.status).toBe(413);
      expect(answer.json.error.code).toBe(body.tooLarge().code);
      expect(answer.json.error.message).toBe(body.tooLarge().message);
    },
  );

  it.each(["iis", "tomcat"])(
    "a %s download without a password names the header",
    async (format) => {
      const deps = await world("ISSUED");

      const answer = await callRoute(deps, "GET", `${ORDER}/certificate?format=${format}`, {
        ...CALLERS.owner,
      });

      expect(answer.json.error.code).toBe("PASSWORD_REQUIRED");
      expect(answer.json.error.message).toContain("X-Pfx-Password");
    },
  );
});
