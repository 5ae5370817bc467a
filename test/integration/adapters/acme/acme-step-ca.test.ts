// The ACME adapter against a second, independent ACME server: step-ca (smallstep), built from
// Debian's library sources by test/support/step-ca.ts. step-ca validates http-01 on port 80
// only, so these tests serve the customer's files on 127.0.0.1:80 (loopback only).
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import * as acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { AcmeCertificateAuthority } from "../../../../functions/adapters/acme/acme-certificate-authority.ts";
import { createNetworkDcvChecker } from "../../../../functions/adapters/dcv/network-dcv-checker.ts";
import { parseCertificate } from "../../../../functions/pki/certificate-info.ts";
import {
  CaRejected,
  type ChallengeForName,
  type PlacedOrder,
} from "../../../../functions/ports/certificate-authority.ts";
import type { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import {
  type CustomerDnsServer,
  startCustomerDnsServer,
} from "../../../../infra/local/customer-dns-server.ts";
import {
  countProblems,
  issue,
  memoryVault,
  opensslVerify,
  placeOrder,
  settledValidation,
  validation,
} from "../../../support/acme-test-kit.ts";
import { type StepCaHandle, startStepCa } from "../../../support/step-ca.ts";

/** What certflow's own DCV check sends; the customer's site below tells it from the CA. */
const CERTFLOW_USER_AGENT = "certflow-domain-validation";

/** The customer's web server on 127.0.0.1:80, where step-ca fetches http-01 files. */
interface CustomerSite {
  /** Serves `content` at the URL, to everyone unless `toCa` says what the CA gets instead. */
  publish(url: string, content: string, toCa?: string): void;
  /** User-Agents that fetched each URL so far. */
  fetchedBy(url: string): readonly string[];
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:80; the listen error, if any. */
function listenOn80Once(server: Server): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const failed = (error: NodeJS.ErrnoException) => {
      server.off("listening", listening);
      resolve(error);
    };
    const listening = () => {
      server.off("error", failed);
      resolve(undefined);
    };
    server.once("error", failed);
    server.once("listening", listening);
    server.listen(80, "127.0.0.1");
  });
}

async function listenOnPort80(server: Server): Promise<void> {
  // Another test run on this machine may hold the port for a moment: wait for it.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const error = await listenOn80Once(server);
    if (error === undefined) return;
    if (error.code !== "EADDRINUSE" || Date.now() > deadline) throw error;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function startCustomerSite(): Promise<CustomerSite> {
  const files = new Map<string, { content: string; toCa: string }>();
  const fetches = new Map<string, string[]>();
  const keyOf = (host: string, path: string) => `${host.replace(/:\d+$/, "").toLowerCase()}${path}`;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const key = keyOf(request.headers.host ?? "", request.url ?? "/");
    const userAgent = request.headers["user-agent"] ?? "";
    fetches.set(key, [...(fetches.get(key) ?? []), userAgent]);
    const file = files.get(key);
    if (file === undefined) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    const body = userAgent === CERTFLOW_USER_AGENT ? file.content : file.toCa;
    response.writeHead(200, { "Content-Type": "text/plain" }).end(body);
  });
  await listenOnPort80(server);
  const urlKey = (url: string) => {
    const parsed = new URL(url);
    return keyOf(parsed.host, parsed.pathname);
  };
  return {
    publish(url, content, toCa = content) {
      files.set(urlKey(url), { content, toCa });
    },
    fetchedBy: (url) => fetches.get(urlKey(url)) ?? [],
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

/** The DNS server step-ca resolves through, and the one certflow's own check asks. */
let caDns: CustomerDnsServer;
let certflowDns: CustomerDnsServer;
let site: CustomerSite;
let stepCa: StepCaHandle;

beforeAll(async () => {
  caDns = await startCustomerDnsServer({ host: "127.0.0.1", port: 0 });
  certflowDns = await startCustomerDnsServer({ host: "127.0.0.1", port: 0 });
  // The first run builds step-ca (about a minute; cached in node_modules/.cache after).
  stepCa = await startStepCa({ resolver: caDns.address });
  site = await startCustomerSite();
}, 300_000);

afterAll(async () => {
  await site?.close();
  await stepCa?.stop();
  await caDns?.close();
  await certflowDns?.close();
});

function stepCaAuthority(vault: CertificateVault = memoryVault().vault) {
  return new AcmeCertificateAuthority({
    directoryUrl: stepCa.directoryUrl,
    contactEmail: "pki-team@certflow.test",
    extraTrustedCaPem: stepCa.httpsTrustPem,
    vault,
    requestTimeoutMs: 5_000,
  });
}

/** The customer points each name at their web server, as both step-ca and certflow see it. */
function pointAtSite(names: readonly string[]) {
  for (const name of names) {
    caDns.setA(name, "127.0.0.1");
    certflowDns.setA(name, "127.0.0.1");
  }
}

function httpFiles(placed: PlacedOrder) {
  return placed.challenges.map(({ domain, instructions }) => {
    if (instructions.method !== "http-file") {
      throw new Error(`not an http-file instruction: ${JSON.stringify(instructions)}`);
    }
    return { domain, ...instructions };
  });
}

function txtRecords(challenges: readonly ChallengeForName[]) {
  return challenges.map(({ instructions }) => {
    if (instructions.method !== "dns-txt") {
      throw new Error(`not a dns-txt instruction: ${JSON.stringify(instructions)}`);
    }
    return instructions;
  });
}

/** Publishes every TXT value of the order where step-ca (and certflow) look them up. */
function publishTxt(challenges: readonly ChallengeForName[]) {
  const byHost = Map.groupBy(txtRecords(challenges), (record) => record.host);
  for (const [host, records] of byHost) {
    const values = records.map((record) => record.value);
    caDns.setTxt(host, values);
    certflowDns.setTxt(host, values);
  }
}

/** `openssl verify` of the leaf with step-ca's chain as untrusted intermediates; its output. */

/** HTTP statuses of step-ca's answers to POSTs on its revokeCert URL, until the test ends. */
function revokeCertStatuses() {
  const statuses: number[] = [];
  const record = (response: { config?: { url?: string }; status?: number } | undefined) => {
    if (response?.config?.url?.endsWith("/revoke-cert") === true) {
      statuses.push(response.status ?? 0);
    }
  };
  const interceptor = acme.axios.interceptors.response.use(
    (response) => {
      record(response);
      return response;
    },
    (error: { response?: { config?: { url?: string }; status?: number } }) => {
      record(error.response);
      return Promise.reject(error);
    },
  );
  onTestFinished(() => acme.axios.interceptors.response.eject(interceptor));
  return statuses;
}

describe("ACME adapter against step-ca", () => {
  it("issues a two-name certificate over http-01 whose chain openssl verifies under step-ca's root", async () => {
    // Prepare
    const ca = stepCaAuthority();
    const names = ["shop.certflow.test", "www.shop.certflow.test"];
    pointAtSite(names);

    // Act
    const placed = await placeOrder(ca, { orderId: "ord_step_http", names, method: "http-file" });
    for (const file of httpFiles(placed)) site.publish(file.url, file.content);
    const outcome = await validation(ca, placed.caOrderRef);
    const issued = await issue(ca, placed.caOrderRef, names);

    // Assess
    expect(placed.alreadyValid).toBe(false);
    expect(new URL(placed.caOrderRef).origin).toBe(new URL(stepCa.directoryUrl).origin);
    expect(httpFiles(placed).map((file) => file.domain)).toEqual(names);
    for (const file of httpFiles(placed)) {
      // step-ca itself fetched each file (its Go client), on port 80.
      expect(site.fetchedBy(file.url)).toContainEqual(expect.stringMatching(/^Go-http-client\//));
    }
    expect(outcome).toEqual({ state: "valid" });
    const certificate = parseCertificate(issued.certificatePem);
    expect(certificate.names.sort()).toEqual([...names].sort());
    expect(issued.chainPems).toHaveLength(1);
    expect(issued.chainPems[0]?.replace(/\s+/g, "")).toBe(
      stepCa.intermediatePem.replace(/\s+/g, ""),
    );
    expect(await opensslVerify(issued, stepCa.issuingRootPem)).toMatch(/: OK$/);
  });

  it("issues for a name and its wildcard over dns-01 with both TXT values published", async () => {
    // Prepare
    const ca = stepCaAuthority();
    const names = ["wild.certflow.test", "*.wild.certflow.test"];

    // Act
    const placed = await placeOrder(ca, { orderId: "ord_step_dns", names, method: "dns-txt" });
    publishTxt(placed.challenges);
    const outcome = await validation(ca, placed.caOrderRef);
    const issued = await issue(ca, placed.caOrderRef, names);

    // Assess
    const records = txtRecords(placed.challenges);
    expect(records.map((record) => record.host)).toEqual([
      "_acme-challenge.wild.certflow.test",
      "_acme-challenge.wild.certflow.test",
    ]);
    expect(new Set(records.map((record) => record.value)).size).toBe(2);
    expect(outcome).toEqual({ state: "valid" });
    expect(parseCertificate(issued.certificatePem).names.sort()).toEqual([...names].sort());
    expect(await opensslVerify(issued, stepCa.issuingRootPem)).toMatch(/: OK$/);
  });

  it("revokes a certificate for the account it was issued to, and refuses another tenant's account", async () => {
    // Prepare
    const { vault } = memoryVault();
    const ca = stepCaAuthority(vault);
    const names = ["revoke.certflow.test"];
    const placed = await placeOrder(ca, { orderId: "ord_step_revoke", names, method: "dns-txt" });
    publishTxt(placed.challenges);
    expect(await validation(ca, placed.caOrderRef)).toEqual({ state: "valid" });
    const { certificatePem } = await issue(ca, placed.caOrderRef, names);
    const statuses = revokeCertStatuses();
    const alreadyRevoked = countProblems("alreadyRevoked");

    // Act
    const byOtherTenant = await ca
      .revoke({ tenantId: "tenant-b", certificatePem, reason: "superseded" })
      .catch((error: unknown) => error);
    await ca.revoke({ tenantId: "tenant-a", certificatePem, reason: "superseded" });
    // A retry after a lost answer: step-ca says alreadyRevoked, which is the work done.
    const again = ca.revoke({ tenantId: "tenant-a", certificatePem, reason: "superseded" });

    // Assess
    expect(byOtherTenant).toBeInstanceOf(CaRejected);
    expect((byOtherTenant as Error).message).toMatch(/urn:ietf:params:acme:error:unauthorized/);
    await expect(again).resolves.toBeUndefined();
    expect(statuses).toEqual([403, 200, 400]);
    expect(alreadyRevoked.count()).toBe(1);
  });

  it("reports an http-01 file step-ca gets another body for as invalid, with step-ca's error", async () => {
    // Prepare: the site answers certflow's check with the right body, the CA with a stale one.
    const ca = stepCaAuthority();
    const names = ["stale-file.certflow.test"];
    pointAtSite(names);
    const placed = await placeOrder(ca, {
      orderId: "ord_step_stale_file",
      names,
      method: "http-file",
    });
    const [file] = httpFiles(placed);
    if (file === undefined) throw new Error("no challenge");
    site.publish(file.url, file.content, `${file.content.split(".")[0]}.stale-account-thumbprint`);
    const certflowCheck = createNetworkDcvChecker({
      resolver: certflowDns.address,
      allowLoopback: true,
      timeoutMs: 3_000,
    });

    // Act
    const precheck = await certflowCheck.check({
      kind: "http-file",
      url: file.url,
      content: file.content,
      trailingWhitespaceAllowed: true,
    });
    const outcome = await validation(ca, placed.caOrderRef);
    const later = await ca.validationProgress(placed.caOrderRef);

    // Assess
    expect(precheck).toEqual({ ok: true });
    expect(site.fetchedBy(file.url)).toContainEqual(expect.stringMatching(/^Go-http-client\//));
    // step-ca 0.19 marks the challenge invalid at once (the authorization and order stay
    // pending), with its generic detail for the type: which body it expected stays in its log.
    expect(outcome).toEqual({
      state: "invalid",
      reason: expect.stringMatching(
        /^stale-file\.certflow\.test: urn:ietf:params:acme:error:rejectedIdentifier: The server will not issue certificates for the identifier/,
      ),
    });
    expect(later).toEqual(outcome);
  });

  it("reports an http-01 file not published yet as pending with step-ca's connection error", async () => {
    // Prepare
    const ca = stepCaAuthority();
    const names = ["not-yet.certflow.test"];
    pointAtSite(names);
    const placed = await placeOrder(ca, {
      orderId: "ord_step_not_yet",
      names,
      method: "http-file",
    });
    const [file] = httpFiles(placed);
    if (file === undefined) throw new Error("no challenge");

    // Act
    await ca.requestValidation(placed.caOrderRef);
    const first = await ca.validationProgress(placed.caOrderRef);
    site.publish(file.url, file.content);
    const settled = await settledValidation(ca, placed.caOrderRef);

    // Assess
    // The site answered 404: step-ca keeps the challenge pending with its error, not invalid.
    expect(first).toEqual({
      state: "pending",
      problems: [
        {
          domain: "not-yet.certflow.test",
          detail: expect.stringMatching(
            /^not-yet\.certflow\.test: urn:ietf:params:acme:error:connection: The server could not connect to validation target/,
          ),
        },
      ],
    });
    expect(settled).toEqual({ state: "valid" });
  });

  it("reports a TXT value step-ca does not see yet as pending with its error, and validates once it does", async () => {
    // Prepare: certflow's resolver has the new value, the one step-ca asks still an old one.
    const ca = stepCaAuthority();
    const names = ["lagging.certflow.test"];
    const placed = await placeOrder(ca, { orderId: "ord_step_lagging", names, method: "dns-txt" });
    const [record] = txtRecords(placed.challenges);
    if (record === undefined) throw new Error("no challenge");
    certflowDns.setTxt(record.host, [record.value]);
    caDns.setTxt(record.host, ["an-old-value-from-last-year"]);
    const certflowCheck = createNetworkDcvChecker({ resolver: certflowDns.address });

    // Act
    const precheck = await certflowCheck.check({
      kind: "dns-txt",
      host: record.host,
      value: record.value,
    });
    await ca.requestValidation(placed.caOrderRef);
    const first = await ca.validationProgress(placed.caOrderRef);
    const second = await ca.validationProgress(placed.caOrderRef);
    caDns.setTxt(record.host, [record.value]);
    const settled = await settledValidation(ca, placed.caOrderRef);
    const issued = await issue(ca, placed.caOrderRef, names);

    // Assess
    expect(precheck).toEqual({ ok: true });
    // step-ca 0.19 keeps the challenge pending with its error and tries again when asked.
    const stillPending = {
      state: "pending",
      problems: [
        {
          domain: "lagging.certflow.test",
          detail: expect.stringMatching(
            /^lagging\.certflow\.test: urn:ietf:params:acme:error:rejectedIdentifier: The server will not issue certificates for the identifier/,
          ),
        },
      ],
    };
    expect(first).toEqual(stillPending);
    expect(second).toEqual(stillPending);
    expect(settled).toEqual({ state: "valid" });
    expect(parseCertificate(issued.certificatePem).names).toEqual(names);
  });
});
