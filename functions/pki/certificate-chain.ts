import "reflect-metadata";
import type { X509Certificate } from "@peculiar/x509";
import { loadCertificate } from "./certificate-info.ts";
import { parsePemBlocks, toPem } from "./pem.ts";

export function splitPemCertificates(text: string): string[] {
  return parsePemBlocks(text)
    .filter((block) => block.label === "CERTIFICATE")
    .map((block) => toPem(block.der, "CERTIFICATE"));
}

async function issued(child: X509Certificate, parent: X509Certificate): Promise<boolean> {
  if (child.issuer !== parent.subject) return false;
  try {
    return await child.verify({ publicKey: parent.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

/** Orders certificates leaf → … → root; throws when they do not form one chain. */
export async function orderChain(pems: readonly string[]): Promise<string[]> {
  const certificates = pems.map((pem) => ({ pem, certificate: loadCertificate(pem) }));
  if (certificates.length <= 1) return [...pems];
  const issuerOf = new Map<number, number>();
  for (const [childIndex, child] of certificates.entries()) {
    for (const [parentIndex, parent] of certificates.entries()) {
      if (childIndex === parentIndex) continue;
      if (await issued(child.certificate, parent.certificate))
        issuerOf.set(childIndex, parentIndex);
    }
  }
  const issuers = new Set(issuerOf.values());
  const leaves = certificates.map((_, index) => index).filter((index) => !issuers.has(index));
  if (leaves.length !== 1 || leaves[0] === undefined) {
    throw new Error("These certificates do not form a single chain.");
  }
  const ordered: string[] = [];
  let current: number | undefined = leaves[0];
  const visited = new Set<number>();
  while (current !== undefined && !visited.has(current)) {
    visited.add(current);
    ordered.push(certificates[current]?.pem ?? "");
    current = issuerOf.get(current);
  }
  if (ordered.length !== certificates.length) {
    throw new Error("These certificates do not form a single chain.");
  }
  return ordered;
}

/** Checks signatures from the leaf up to the root and that each is valid at `at`. */
export async function verifyChain(
  leafPem: string,
  chainPems: readonly string[],
  rootPem: string,
  at: Date = new Date(),
): Promise<boolean> {
  const path = [leafPem, ...chainPems, rootPem].map(loadCertificate);
  for (let index = 0; index < path.length; index++) {
    const certificate = path[index];
    const parent = path[Math.min(index + 1, path.length - 1)];
    if (certificate === undefined || parent === undefined) return false;
    if (at < certificate.notBefore || at > certificate.notAfter) return false;
    if (!(await issued(certificate, parent))) return false;
  }
  return true;
}
