import { type CertificateFields, readCertificateFields } from "./certificate-fields.ts";
import { certificateDer, sha256Fingerprint } from "./certificate-info.ts";
import { toPem } from "./pem.ts";
import {
  checkSignature,
  readSignedData,
  type SignedData,
  subjectPublicKeyInfoOf,
} from "./signed-data.ts";

interface ChainMember {
  readonly pem: string;
  readonly certificate: CertificateFields;
  readonly signed: SignedData;
  readonly spki: Uint8Array;
  readonly subject: string;
  readonly issuer: string;
  readonly subjectKeyId?: string;
  readonly authorityKeyId?: string;
}

function member(pemOrDer: string | Uint8Array): ChainMember {
  const der = certificateDer(pemOrDer);
  const signed = readSignedData(der);
  const certificate = readCertificateFields(der);
  return {
    pem: toPem(der, "CERTIFICATE"),
    certificate,
    signed,
    spki: subjectPublicKeyInfoOf(signed, "certificate"),
    subject: certificate.subject,
    issuer: certificate.issuer,
    subjectKeyId: certificate.subjectKeyId,
    authorityKeyId: certificate.authorityKeyId,
  };
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const isSelfIssued = (certificate: ChainMember) =>
  sameName(certificate.subject, certificate.issuer);

function signedBy(child: ChainMember, parent: ChainMember): boolean {
  return checkSignature(child.signed, parent.spki) === "valid";
}

/**
 * The certificate in `candidates` that issued `child`: its subject is the child's issuer, its key
 * id is the child's authority key id (when both are present), and its key verifies the child's
 * signature (a candidate whose signature algorithm cannot be checked is taken only as a last
 * resort; one whose key does not verify, never).
 */
function issuerAmong(child: ChainMember, candidates: readonly ChainMember[]) {
  if (isSelfIssued(child)) return undefined;
  const checked = candidates
    .filter((candidate) => candidate !== child && sameName(candidate.subject, child.issuer))
    .filter(
      (candidate) =>
        child.authorityKeyId === undefined ||
        candidate.subjectKeyId === undefined ||
        candidate.subjectKeyId === child.authorityKeyId,
    )
    .map((candidate) => ({ candidate, check: checkSignature(child.signed, candidate.spki) }));
  return (
    checked.find(({ check }) => check === "valid")?.candidate ??
    checked.find(({ check }) => check === "unverifiable")?.candidate
  );
}

/**
 * Orders certificates leaf → intermediates → root (the root only if it is in the set), linking each
 * to the certificate whose name and key issued it. Duplicates are dropped. Throws a clear error
 * when the certificates do not form exactly one chain.
 */
export function orderChain(pems: readonly string[]): string[] {
  const seen = new Set<string>();
  const members: ChainMember[] = [];
  for (const pem of pems) {
    const candidate = member(pem);
    const fingerprint = sha256Fingerprint(certificateDer(candidate.pem));
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    members.push(candidate);
  }
  if (members.length === 0) throw new Error("There are no certificates to order.");

  const issuerOf = new Map<ChainMember, ChainMember>();
  for (const child of members) {
    const issuer = issuerAmong(child, members);
    if (issuer !== undefined) issuerOf.set(child, issuer);
  }
  const issuers = new Set(issuerOf.values());
  const leaves = members.filter((candidate) => !issuers.has(candidate));
  const [leaf] = leaves;
  if (leaf === undefined) {
    throw new Error("These certificates are not one chain: they issued each other in a loop.");
  }
  if (leaves.length > 1) {
    throw new Error(
      `These certificates are not one chain: ${leaves.map((candidate) => `'${candidate.subject}'`).join(", ")} each end a separate chain.`,
    );
  }
  const ordered: ChainMember[] = [];
  for (let current: ChainMember | undefined = leaf; current !== undefined; ) {
    if (ordered.includes(current)) break;
    ordered.push(current);
    current = issuerOf.get(current);
  }
  const strays = members.filter((candidate) => !ordered.includes(candidate));
  if (strays.length > 0) {
    throw new Error(
      `These certificates are not one chain: ${strays.map((candidate) => `'${candidate.subject}'`).join(", ")} ${strays.length === 1 ? "is" : "are"} not on the path from '${leaf.subject}' up to its root.`,
    );
  }
  return ordered.map((candidate) => candidate.pem);
}

export interface ChainVerification {
  readonly ok: boolean;
  /** Every problem found, leaf first. */
  readonly problems: string[];
}

/**
 * Checks leaf → chain (in the given order) → root: names and signatures link up, the root signs
 * itself, each CA certificate is marked as a CA and respects its path length, and every
 * certificate is valid at `at`.
 */
export function verifyChain(
  leafPem: string,
  chainPems: readonly string[],
  rootPem: string,
  options: { at?: Date } = {},
): ChainVerification {
  const at = options.at ?? new Date();
  const path = [leafPem, ...chainPems, rootPem].map(member);
  const problems: string[] = [];
  path.forEach((certificate, index) => {
    const name = `'${certificate.subject}'`;
    const parent = path[index + 1] ?? certificate;
    if (!sameName(certificate.issuer, parent.subject)) {
      problems.push(`${name} is issued by '${certificate.issuer}', not by '${parent.subject}'.`);
    } else if (!signedBy(certificate, parent)) {
      problems.push(
        `The signature of ${name} does not verify with the key of '${parent.subject}'.`,
      );
    }
    if (at < certificate.certificate.notBefore || at > certificate.certificate.notAfter) {
      problems.push(
        `${name} is valid from ${certificate.certificate.notBefore.toISOString()} to ${certificate.certificate.notAfter.toISOString()}, not at ${at.toISOString()}.`,
      );
    }
    if (index > 0) {
      const constraints = certificate.certificate.basicConstraints;
      if (constraints?.ca !== true) {
        problems.push(`${name} issues certificates but is not marked as a CA.`);
      } else if (constraints.pathLength !== undefined && index - 1 > constraints.pathLength) {
        problems.push(
          `${name} allows ${constraints.pathLength} intermediate CA(s) below it, but the chain has ${index - 1}.`,
        );
      }
    }
  });
  return { ok: problems.length === 0, problems };
}
