import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as acme from "acme-client";
import {
  AcmeCertificateAuthority,
  type AcmeCertificateAuthorityOptions,
} from "../../functions/adapters/acme/acme-certificate-authority.ts";
import { ChalltestsrvDnsZone } from "../../functions/adapters/challtestsrv/challtestsrv-dns-zone.ts";
import { createMemoryBlobStore } from "../../functions/adapters/memory/memory-blob-store.ts";
import type { OrderName } from "../../functions/domain/order-record.ts";
import { buildCsr } from "../../functions/pki/csr-build.ts";
import { generateKeyPair } from "../../functions/pki/key-pairs.ts";
import type {
  CaProgress,
  CertificateAuthority,
  CertificateProgress,
} from "../../functions/ports/certificate-authority.ts";
import { CertificateVault } from "../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../functions/vault/key-passphrases.ts";
import type { PebbleHandle } from "./pebble.ts";

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

export function orderNames(...ascii: string[]): OrderName[] {
  return ascii.map((name) => ({ ascii: name, display: name, wildcard: name.startsWith("*.") }));
}

/** An adapter against the Pebble under test, with a challtestsrv delegation zone. */
export function pebbleAuthority(
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

export async function csrFor(names: readonly OrderName[]): Promise<string> {
  const keys = await generateKeyPair("EC-P256");
  return buildCsr({ keys, names: names.map((name) => name.ascii) });
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

export async function issuedCertificate(
  ca: CertificateAuthority,
  caOrderRef: string,
  first: CertificateProgress,
  timeoutMs = 20_000,
): Promise<Extract<CertificateProgress, { state: "issued" }>> {
  const deadline = Date.now() + timeoutMs;
  let progress = first;
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
 * badNonce (Pebble refuses a few by default) and sent again counts once. Call stop() when done.
 */
export async function countRequestsTo(pebble: PebbleHandle, resource: string) {
  const url = (await pebble.directory())[resource];
  if (typeof url !== "string") throw new Error(`Pebble's directory has no ${resource}`);
  let count = 0;
  const interceptor = acme.axios.interceptors.response.use((response) => {
    if (response.config.url === url && response.status < 300) count += 1;
    return response;
  });
  return {
    count: () => count,
    stop: () => acme.axios.interceptors.response.eject(interceptor),
  };
}

/** Counts responses carrying one ACME problem type (e.g. "badNonce"), as acme-client saw them. */
export function countProblems(type: string) {
  let count = 0;
  const interceptor = acme.axios.interceptors.response.use((response) => {
    const body = response.data as { type?: unknown } | undefined;
    if (body?.type === `urn:ietf:params:acme:error:${type}`) count += 1;
    return response;
  });
  return {
    count: () => count,
    stop: () => acme.axios.interceptors.response.eject(interceptor),
  };
}
