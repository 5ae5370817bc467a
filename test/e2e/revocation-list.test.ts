import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { startCustomerWebServer } from "../../infra/local/customer-web-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";
import { openssl } from "./support/openssl.ts";

// Revocation as clients see it, through `npm start`'s entry point: the CRL is public at
// GET /v1/ca/crl, every certificate names it, and a revocation through the API lists the
// certificate there at once.

const NAME = "crl.certflow.test";
let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let web: Awaited<ReturnType<typeof startCustomerWebServer>>;
let service: RunningService;
let customer: ApiClient;
const work = mkdtempSync(join(tmpdir(), "certflow-e2e-crl-"));

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  web = await startCustomerWebServer();
  dns.setA(NAME, "127.0.0.1");
  service = await startLocalService({
    CERTFLOW_API_TOKENS: "tenant-a-token:tenant-a:customer",
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_HTTP_VALIDATION_PORT: String(web.port),
    CERTFLOW_CHECK_EARLY_SECONDS: "1",
    CERTFLOW_CHECK_LATE_SECONDS: "2",
  });
  customer = new ApiClient(service.url, "tenant-a-token");
});

afterAll(async () => {
  await service?.stop();
  await web?.close();
  await dns?.close();
});

/** GET /v1/ca/crl without a token, as a client following a certificate's distribution point. */
async function fetchCrl(name: string) {
  const response = await fetch(`${service.url}/v1/ca/crl`);
  const der = new Uint8Array(await response.arrayBuffer());
  const derPath = join(work, `${name}.der`);
  writeFileSync(derPath, der);
  const text =
    response.status === 200
      ? openssl(["crl", "-inform", "DER", "-in", derPath, "-noout", "-text"])
      : "";
  const crlNumber = Number(/X509v3 CRL Number: \n\s+(\d+)/.exec(text)?.[1]);
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    derPath,
    text,
    crlNumber,
  };
}

describe("the embedded CA's CRL on the local service", () => {
  it("is public, names no certificate until one is revoked through the API, then lists it with its reason", async () => {
    // Prepare: an issued order.
    const submitted = await customer.request("POST", "/v1/orders", {
      body: {
        domains: [NAME],
        validation: { method: "http-file" },
        contact: { name: "Ada Lovelace", email: "ada@certflow.test" },
      },
    });
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(202);
    const id = String(submitted.json.id);
    const pending = await customer.waitForOrder(id, (o) => o.status === "PENDING_VALIDATION");
    const instructions = pending.validations[0].instructions as { url: string; content: string };
    const url = new URL(instructions.url);
    web.publish(url.hostname, url.pathname, instructions.content);
    const issued = await customer.waitForOrder(id, (o) => o.status === "ISSUED");
    const serial = String(issued.certificate.serialNumber).toUpperCase();
    const pem = await customer.request("GET", `/v1/orders/${id}/certificate?format=pem`);
    // The pem download is the certificate, then its chain.
    const [leaf, ...chain] =
      new TextDecoder()
        .decode(pem.bytes)
        .match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/g) ?? [];
    const certificatePath = join(work, "leaf.pem");
    writeFileSync(certificatePath, leaf ?? "");
    const root = await fetch(`${service.url}/v1/ca/root.pem`).then((r) => r.text());
    const caBundlePath = join(work, "ca-bundle.pem");
    writeFileSync(caBundlePath, root + chain.join(""));

    // Act
    const before = await fetchCrl("before");
    const revoked = await customer.request("POST", `/v1/orders/${id}/revocation`, {
      body: { reason: "superseded" },
    });
    const after = await fetchCrl("after");

    // Assess
    expect(openssl(["x509", "-in", certificatePath, "-noout", "-text"])).toContain(
      `URI:${service.url}/v1/ca/crl`,
    );
    expect(before).toMatchObject({ status: 200, type: "application/pkix-crl" });
    expect(before.text).toMatch(/Issuer: CN ?= ?certflow Embedded Issuing CA/);
    expect(before.text).toContain("Next Update:");
    expect(before.text).not.toContain(`Serial Number: ${serial}`);
    expect(revoked.json.status).toBe("REVOKED");
    expect(after.text).toMatch(
      new RegExp(
        `Serial Number: ${serial}\\n\\s+Revocation Date: [^\\n]+\\n\\s+CRL entry extensions:\\n\\s+X509v3 CRL Reason Code: \\n\\s+Superseded`,
      ),
    );
    expect(after.crlNumber).toBeGreaterThan(before.crlNumber);
    // A client checking the certificate against the CRL now refuses it.
    const afterPem = join(work, "after.pem");
    openssl(["crl", "-inform", "DER", "-in", after.derPath, "-out", afterPem]);
    const verdict = (() => {
      try {
        openssl([
          "verify",
          "-crl_check",
          "-CAfile",
          caBundlePath,
          "-CRLfile",
          afterPem,
          certificatePath,
        ]);
        return "accepted";
      } catch (error) {
        return String((error as { stderr?: string }).stderr ?? error);
      }
    })();
    expect(verdict).toMatch(/certificate revoked/);
  }, 90_000);

  it("reads as the README's curl | openssl crl example shows it", () => {
    const text = execFileSync(
      "sh",
      ["-c", `curl -s ${service.url}/v1/ca/crl | openssl crl -inform DER -noout -text`],
      { encoding: "utf8" },
    );

    expect(text).toContain("Certificate Revocation List (CRL):");
    expect(text).toContain("X509v3 CRL Reason Code:");
  });
});
