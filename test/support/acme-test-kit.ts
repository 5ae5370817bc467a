import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as acme from "acme-client";
import { afterAll, beforeAll, onTestFinished } from "vitest";
import {
  AcmeCertificateAuthority,
  type AcmeCertificateAuthorityOptions,
} from "../../functions/adapters/acme/acme-certificate-authority.ts";
import { ChalltestsrvDnsZone } from "../../functions/adapters/challtestsrv/challtestsrv-dns-zone.ts";
import { ChalltestsrvManagement } from "../../functions/adapters/challtestsrv/challtestsrv-management.ts";
import { createMemoryBlobStore } from "../../functions/adapters/memory/memory-blob-store.ts";
import type { OrderName, ValidationMethodName } from "../../functions/domain/order-record.ts";
import { buildCsr } from "../../functions/pki/csr-build.ts";
import { generateKeyPair } from "../../functions/pki/key-pairs.ts";
import type {
  CaProgress,
  CertificateAuthority,
  CertificateProgress,
  ChallengeForName,
  PlacedOrder,
} from "../../functions/ports/certificate-authority.ts";
import { CertificateVault } from "../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../functions/vault/key-passphrases.ts";
import { type PebbleHandle, type PebbleOptions, startPebble } from "./pebble.ts";

const run = promisify(execFile);

/**
 * Kept short on purpose: challtestsrv answers without name compression and without setting TC,
 * and Pebble reads UDP answers into 512 bytes, so a CNAME plus two TXT records under a long zone
 * name (514 bytes with "acme-delegation.certflow.test") fails as "dns: overflowing header size".
 */
export const DELEGATION_ZONE = "dcv.certflow.test";

export function memoryVault() {
  const blobs = createMemoryBlobStore();
  return { blobs, vault: new CertificateVault(blobs, derivedKeyPassphrases(randomBytes(32))) };
}

function orderNames(...ascii: string[]): OrderName[] {
  return ascii.map((name) => ({ ascii: name, display: name, wildcard: name.startsWith("*.") }));
}

/** An adapter against the Pebble under test, with a challtestsrv delegation zone. */
function pebbleAuthority(
  pebble: PebbleHandle,
  vault: CertificateVault,
  options: Partial<AcmeCertificateAuthorityOptions> = {},
): AcmeCertificateAuthority {
  return new AcmeCertificateAuthority({
    directoryUrl: pebble.directoryUrl,
    contactEmail: "pki-team@certflow.test",
    extraTrustedCaPem: pebble.httpsTrustPem,
    vault,
    delegation: {
      zone: new ChalltestsrvDnsZone(pebble.challtestsrvUrl),
      zoneName: DELEGATION_ZONE,
    },
    requestTimeoutMs: 3_000,
    ...options,
  });
}

/** A running Pebble (with challtestsrv) and what the ACME tests do with it. */
export interface PebbleTestbed {
  readonly pebble: PebbleHandle;
  /** An adapter against this Pebble, on `vault` (a fresh memory vault when left out). */
  authority(
    vault?: CertificateVault,
    options?: Partial<AcmeCertificateAuthorityOptions>,
  ): AcmeCertificateAuthority;
  /** The customer's DNS, as Pebble resolves it: challtestsrv's records. */
  customerDns(): ChalltestsrvManagement;
  /** Publishes each dns-txt value at challtestsrv, as the customer would. */
  publishTxtValues(challenges: readonly ChallengeForName[]): Promise<void>;
  /** `openssl verify` of an issued certificate under the root Pebble issues under now. */
  opensslVerify(issued: { certificatePem: string; chainPems: readonly string[] }): Promise<string>;
}

function testbedOn(current: () => PebbleHandle): PebbleTestbed {
  const customerDns = () => new ChalltestsrvManagement(current().challtestsrvUrl);
  return {
    get pebble() {
      return current();
    },
    authority: (vault = memoryVault().vault, options = {}) =>
      pebbleAuthority(current(), vault, options),
    customerDns,
    async publishTxtValues(challenges) {
      for (const { instructions } of challenges) {
        if (instructions.method !== "dns-txt") {
          throw new Error(`not a dns-txt instruction: ${JSON.stringify(instructions)}`);
        }
        await customerDns().addTxt(instructions.host, instructions.value);
      }
    },
    opensslVerify: async (issued) => opensslVerify(issued, await current().issuingRootPem()),
  };
}

/** Pebble started before the calling file's tests and stopped after them. */
export function pebbleForFile(options: PebbleOptions = {}): PebbleTestbed {
  let pebble: PebbleHandle | undefined;
  beforeAll(async () => {
    pebble = await startPebble(options);
  });
  afterAll(async () => {
    await pebble?.stop();
  });
  return testbedOn(() => {
    if (pebble === undefined) throw new Error("Pebble runs only while the file's tests do");
    return pebble;
  });
}

/** A Pebble of the calling test's own, stopped when the test finishes. */
export async function pebbleForTest(options: PebbleOptions = {}): Promise<PebbleTestbed> {
  const pebble = await startPebble(options);
  onTestFinished(() => pebble.stop());
  return testbedOn(() => pebble);
}

export interface TestOrder {
  readonly orderId: string;
  /** ASCII names, "*." for a wildcard. */
  readonly names: readonly string[];
  readonly method: ValidationMethodName;
  /** tenant-a when left out. */
  readonly tenantId?: string;
}

export function placeOrder(
  ca: CertificateAuthority,
  { tenantId = "tenant-a", names, ...order }: TestOrder,
): Promise<PlacedOrder> {
  return ca.placeOrder({ tenantId, names: orderNames(...names), ...order });
}

export async function csrFor(names: readonly string[]): Promise<string> {
  const keys = await generateKeyPair("EC-P256");
  return buildCsr({ keys, names: [...names] });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls like the state machine does, with short waits instead of its backoff. */
export async function settledValidation(
  ca: CertificateAuthority,
  caOrderRef: string,
  timeoutMs = 20_000,
): Promise<Exclude<CaProgress, { state: "pending" }>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = await ca.validationProgress(caOrderRef);
    if (progress.state !== "pending") return progress;
    if (Date.now() > deadline) throw new Error(`validation of ${caOrderRef} still pending`);
    await pause(50);
  }
}

/** Asks the CA to validate the order and waits for its decision. */
export async function validation(
  ca: CertificateAuthority,
  caOrderRef: string,
): Promise<Exclude<CaProgress, { state: "pending" }>> {
  await ca.requestValidation(caOrderRef);
  return settledValidation(ca, caOrderRef);
}

/**
 * Places the order, has `publish` put its challenge answers in place and the CA validate it;
 * the placed order. Throws unless the CA finds it valid.
 */
export async function validatedOrder(
  ca: CertificateAuthority,
  order: TestOrder,
  publish: (challenges: readonly ChallengeForName[]) => unknown,
): Promise<PlacedOrder> {
  const placed = await placeOrder(ca, order);
  await publish(placed.challenges);
  const outcome = await validation(ca, placed.caOrderRef);
  if (outcome.state !== "valid") {
    throw new Error(`order ${order.orderId} did not validate: ${JSON.stringify(outcome)}`);
  }
  return placed;
}

/** Finalizes with a CSR for `names` (a new key) and waits until the certificate is issued. */
export async function issue(
  ca: CertificateAuthority,
  caOrderRef: string,
  names: readonly string[],
  timeoutMs = 20_000,
): Promise<Extract<CertificateProgress, { state: "issued" }>> {
  const deadline = Date.now() + timeoutMs;
  let progress = await ca.finalize(caOrderRef, await csrFor(names), 90, { product: "DV" });
  while (progress.state !== "issued") {
    if (Date.now() > deadline) throw new Error(`certificate of ${caOrderRef} still processing`);
    await pause(50);
    progress = await ca.certificateProgress(caOrderRef);
  }
  return progress;
}

/** `openssl verify` of the leaf with the CA's chain as untrusted intermediates; its output. */
export async function opensslVerify(
  issued: { certificatePem: string; chainPems: readonly string[] },
  rootPem: string,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "certflow-acme-verify-"));
  try {
    await writeFile(join(dir, "root.pem"), rootPem);
    await writeFile(join(dir, "chain.pem"), issued.chainPems.join(""));
    await writeFile(join(dir, "leaf.pem"), issued.certificatePem);
    const { stdout } = await run("openssl", [
      "verify",
      "-CAfile",
      join(dir, "root.pem"),
      "-untrusted",
      join(dir, "chain.pem"),
      join(dir, "leaf.pem"),
    ]);
    return stdout.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Counts requests to one ACME resource (e.g. "newAccount") that the CA accepted, by watching
 * acme-client's axios instance, independent of the adapter's code. An attempt refused with
 * badNonce (Pebble refuses a few by default) and sent again counts once. Counts until the
 * calling test finishes.
 */
export async function countRequestsTo(pebble: PebbleHandle, resource: string) {
  const url = (await pebble.directory())[resource];
  if (typeof url !== "string") throw new Error(`Pebble's directory has no ${resource}`);
  let count = 0;
  const interceptor = acme.axios.interceptors.response.use((response) => {
    if (response.config.url === url && response.status < 300) count += 1;
    return response;
  });
  onTestFinished(() => acme.axios.interceptors.response.eject(interceptor));
  return { count: () => count };
}

/**
 * Counts responses carrying one ACME problem type (e.g. "badNonce"), as acme-client saw them,
 * until the calling test finishes.
 */
export function countProblems(type: string) {
  let count = 0;
  const interceptor = acme.axios.interceptors.response.use((response) => {
    const body = response.data as { type?: unknown } | undefined;
    if (body?.type === `urn:ietf:params:acme:error:${type}`) count += 1;
    return response;
  });
  onTestFinished(() => acme.axios.interceptors.response.eject(interceptor));
  return { count: () => count };
}
