import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadServiceCatalog } from "../../functions/composition/service-catalog.ts";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

const TOKENS = "hostile-a-token:tenant-a:customer,hostile-b-token:tenant-b:customer";

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let service: RunningService;
let customer: ApiClient;
/** An order of tenant-a waiting for validation: what the order routes are pointed at. */
let orderId: string;

const { routes } = await loadServiceCatalog();

const VALID_ORDER = {
  domains: ["shop.hostile.test"],
  validation: { method: "dns-txt" },
  contact: { name: "Ada", email: "ada@example.test" },
};

interface HostileRequest {
  readonly what: string;
  readonly method: string;
  readonly path: string;
  readonly token?: string | null;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

/** Every file the vault and the order table keep, by path and size: what "nothing written" compares. */
function storedFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? walk(path) : [`${path}:${statSync(path).size}`];
    });
  return walk(join(service.dataDir, "s3")).sort();
}

/** What each declared route answers without a token, with a token nobody holds, and by the wrong method. */
function declaredRouteRequests(): HostileRequest[] {
  const requests: HostileRequest[] = [];
  for (const route of routes.map(({ declaration }) => declaration)) {
    if (route.access === "public") continue;
    const path = route.path
      .replace("{id}", "ord_00000000000000000000")
      .replace("{name}", "ord_00000000000000000000-1")
      .replace("{domain}", "shop.hostile.test");
    if (route.path.includes("{id}")) {
      requests.push({
        what: `${route.name} of an order that is not there`,
        method: route.method,
        path,
      });
    }
    requests.push(
      { what: `${route.name} without a token`, method: route.method, path, token: null },
      { what: `${route.name} with a forged token`, method: route.method, path, token: "forged" },
      {
        what: `${route.name} by a method it does not take`,
        method: route.method === "DELETE" ? "PATCH" : "DELETE",
        path,
      },
    );
  }
  return requests;
}

function orderRequests(id: () => string): HostileRequest[] {
  const submit = (what: string, body: unknown, headers?: Record<string, string>) => ({
    what,
    method: "POST",
    path: "/v1/orders",
    body,
    ...(headers === undefined ? {} : { headers }),
  });
  const named = (what: string, domains: string[]) => submit(what, { ...VALID_ORDER, domains });
  return [
    { what: "a body that is not JSON", method: "POST", path: "/v1/orders", rawBody: "{domains:" },
    { what: "a JSON array", method: "POST", path: "/v1/orders", rawBody: "[]" },
    { what: "JSON null", method: "POST", path: "/v1/orders", rawBody: "null" },
    {
      what: "a body over 1 MiB",
      method: "POST",
      path: "/v1/orders",
      rawBody: JSON.stringify({ ...VALID_ORDER, padding: "x".repeat(1_100_000) }),
    },
    {
      what: "deeply nested JSON",
      method: "POST",
      path: "/v1/orders",
      rawBody: `${"[".repeat(5_000)}${"]".repeat(5_000)}`,
    },
    submit("no domains", { ...VALID_ORDER, domains: [] }),
    submit("domains that are not strings", { ...VALID_ORDER, domains: [42] }),
    submit("an unknown field", { ...VALID_ORDER, admin: true }),
    submit("an unknown validation method", {
      ...VALID_ORDER,
      validation: { method: "carrier-pigeon" },
    }),
    submit("an unknown key type", { ...VALID_ORDER, key: { type: "DSA-1024" } }),
    submit("no contact", { domains: VALID_ORDER.domains, validation: VALID_ORDER.validation }),
    submit("a contact address that is not one", {
      ...VALID_ORDER,
      contact: { name: "Ada", email: "not an address" },
    }),
    submit("101 names", {
      ...VALID_ORDER,
      domains: Array.from({ length: 101 }, (_, i) => `n${i}.hostile.test`),
    }),
    named("a public suffix", ["co.uk"]),
    named("a wildcard under a public suffix", ["*.co.uk"]),
    named("a label mixing scripts", ["shop.pаypal.hostile.test"]),
    named("an empty label", ["shop..hostile.test"]),
    named("a label starting with a hyphen", ["-shop.hostile.test"]),
    named("a label of 64 characters", [`${"a".repeat(64)}.hostile.test`]),
    named("a name of 254 characters", [`${"a.".repeat(126)}test`]),
    named("a wildcard in the middle", ["shop.*.hostile.test"]),
    named("spaces in a name", ["shop hostile.test"]),
    named("a URL instead of a name", ["https://shop.hostile.test/"]),
    named("a bad punycode label", ["xn--zz.hostile.test"]),
    submit("a contact name of 201 characters", {
      ...VALID_ORDER,
      contact: { name: "A".repeat(201), email: "ada@example.test" },
    }),
    submit("a wildcard validated by an HTTP file", {
      ...VALID_ORDER,
      domains: ["*.hostile.test"],
      validation: { method: "http-file" },
    }),
    submit("a CSR that is not one", {
      ...VALID_ORDER,
      csr: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----",
    }),
    submit("a private key where the CSR goes", {
      ...VALID_ORDER,
      csr: "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----",
    }),
    submit("a CSR and a key type together", { ...VALID_ORDER, key: { type: "EC-P256" }, csr: "x" }),
    submit("an Idempotency-Key with control characters", VALID_ORDER, {
      "Idempotency-Key": "a\tb",
    }),
    submit("an Idempotency-Key of 129 characters", VALID_ORDER, {
      "Idempotency-Key": "k".repeat(129),
    }),
    submit("OV without organization details", { ...VALID_ORDER, product: "OV" }),
    { what: "an order id with a path in it", method: "GET", path: "/v1/orders/..%2F..%2Fetc" },
    { what: "an order id that is not one", method: "GET", path: "/v1/orders/<script>" },
    {
      what: "an order id of 2,000 characters",
      method: "GET",
      path: `/v1/orders/ord_${"a".repeat(2_000)}`,
    },
    { what: "a list with a bad status", method: "GET", path: "/v1/orders?status=LOST" },
    { what: "a list with a negative limit", method: "GET", path: "/v1/orders?limit=-1" },
    {
      what: "a list with a limit that is not a number",
      method: "GET",
      path: "/v1/orders?limit=ten",
    },
    { what: "a list with a limit over 100", method: "GET", path: "/v1/orders?limit=101" },
    { what: "a list with a forged cursor", method: "GET", path: "/v1/orders?cursor=eyJhIjoxfQ" },
    {
      what: "a download of an order not issued",
      method: "GET",
      path: `/v1/orders/${id()}/certificate`,
    },
    {
      what: "a download in an unknown format",
      method: "GET",
      path: `/v1/orders/${id()}/certificate?format=jks`,
    },
    {
      what: "a download in a path-like format",
      method: "GET",
      path: `/v1/orders/${id()}/certificate?format=../../etc`,
    },
    {
      what: "a pfx with an unknown profile",
      method: "GET",
      path: `/v1/orders/${id()}/certificate?format=iis&profile=ancient`,
    },
    {
      what: "a revocation of an order not issued",
      method: "POST",
      path: `/v1/orders/${id()}/revocation`,
      body: { reason: "superseded" },
    },
    {
      what: "a revocation with an unknown reason",
      method: "POST",
      path: `/v1/orders/${id()}/revocation`,
      body: { reason: "boredom" },
    },
    { what: "a revocation without a body", method: "POST", path: `/v1/orders/${id()}/revocation` },
    {
      what: "an approver list for a public suffix",
      method: "GET",
      path: "/v1/domains/co.uk/approver-emails",
    },
    {
      what: "an approver list for a name with spaces",
      method: "GET",
      path: "/v1/domains/a%20b/approver-emails",
    },
    { what: "an execution view by a customer", method: "GET", path: `/v1/executions/${id()}-1` },
    {
      what: "another tenant's order",
      method: "GET",
      path: `/v1/orders/${id()}`,
      token: "hostile-b-token",
    },
    {
      what: "another tenant's order history",
      method: "GET",
      path: `/v1/orders/${id()}/history`,
      token: "hostile-b-token",
    },
    {
      what: "another tenant's checks",
      method: "POST",
      path: `/v1/orders/${id()}/checks`,
      token: "hostile-b-token",
    },
    {
      what: "another tenant's cancellation",
      method: "POST",
      path: `/v1/orders/${id()}/cancellation`,
      token: "hostile-b-token",
    },
    { what: "a route that does not exist", method: "GET", path: "/v1/admin" },
    { what: "a path outside the API", method: "GET", path: "/../../etc/passwd" },
  ];
}

beforeAll(async () => {
  dns = await startCustomerDnsServer({ host: "127.0.0.1", port: 0 });
  service = await startLocalService({
    CERTFLOW_API_TOKENS: TOKENS,
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
  });
  customer = new ApiClient(service.url, "hostile-a-token");
  const placed = await customer.request("POST", "/v1/orders", { body: VALID_ORDER });
  orderId = String(placed.json.id);
  await customer.waitForOrder(orderId, (order) => order.status === "PENDING_VALIDATION");
});

afterAll(async () => {
  await service?.stop();
  await dns?.close();
});

describe("hostile and mistaken requests", () => {
  it("are each answered 4xx with a named code, and write nothing", async () => {
    // Prepare
    const corpus = [...declaredRouteRequests(), ...orderRequests(() => orderId)];
    const ordersBefore = (await customer.request("GET", "/v1/orders?limit=100")).json.orders.length;
    const otherBefore = (
      await new ApiClient(service.url, "hostile-b-token").request("GET", "/v1/orders?limit=100")
    ).json.orders.length;
    const filesBefore = storedFiles();

    // Act
    const unnamed: string[] = [];
    for (const request of corpus) {
      const token =
        request.token === null
          ? ""
          : (request.token ??
            (request.what.includes("another tenant") ? "hostile-b-token" : "hostile-a-token"));
      const response = await fetch(`${service.url}${request.path}`, {
        method: request.method,
        headers: {
          ...(token === "" ? {} : { authorization: `Bearer ${token}` }),
          ...(request.body === undefined && request.rawBody === undefined
            ? {}
            : { "content-type": "application/json" }),
          ...request.headers,
        },
        body:
          request.rawBody ??
          (request.body === undefined ? undefined : JSON.stringify(request.body)),
      });
      const text = await response.text();
      const code = /"code":\s*"([A-Z_]+)"/.exec(text)?.[1];
      if (response.status < 400 || response.status >= 500 || code === undefined) {
        unnamed.push(`${request.what}: ${response.status} ${text.slice(0, 120)}`);
      }
    }

    // Assess
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(unnamed).toEqual([]);
    expect((await customer.request("GET", "/v1/orders?limit=100")).json.orders).toHaveLength(
      ordersBefore,
    );
    expect(
      (await new ApiClient(service.url, "hostile-b-token").request("GET", "/v1/orders?limit=100"))
        .json.orders,
    ).toHaveLength(otherBefore);
    expect(storedFiles()).toEqual(filesBefore);
  });
});
