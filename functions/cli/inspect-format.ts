import type { CertificateInfo } from "../pki/certificate-info.ts";
import type { CsrVerification } from "../pki/csr-verify.ts";
import { formatKeyDescription, type PublicKeyDescription } from "../pki/key-pairs.ts";

const DAY_MS = 86_400_000;

function row(label: string, value: string): string {
  return `  ${`${label}:`.padEnd(22)}${value}`;
}

function keyText(key: PublicKeyDescription): string {
  const text = formatKeyDescription(key);
  return key.keyType === undefined ? text : `${text} (${key.keyType})`;
}

const list = (items: readonly string[]) => (items.length === 0 ? "(none)" : items.join(", "));

export function formatCsr(verification: CsrVerification, checkedNames: boolean): string[] {
  const summary = verification.summary;
  const lines: string[] = [];
  if (summary !== undefined) {
    lines.push(
      row("Subject", summary.subjectText === "" ? "(empty)" : summary.subjectText),
      row("Names", list(summary.names)),
    );
    if (summary.otherNames.length > 0) lines.push(row("Other names", list(summary.otherNames)));
    lines.push(
      row("Key", keyText(summary.key)),
      row("Signature algorithm", summary.signatureAlgorithm),
    );
  }
  if (verification.ok) {
    lines.push(
      checkedNames
        ? "  OK: correctly signed, an accepted key, and exactly the names given."
        : "  OK: correctly signed with an accepted key (add --domain to check its names).",
    );
  } else {
    const count = verification.defects.length;
    lines.push(`  ${count} ${count === 1 ? "defect" : "defects"}:`);
    for (const defect of verification.defects)
      lines.push(`    - ${defect.code}: ${defect.message}`);
  }
  return lines;
}

function validityText(info: CertificateInfo, now: Date): string {
  const range = `${info.notBefore.toISOString()} to ${info.notAfter.toISOString()}`;
  if (now < info.notBefore) return `${range} (not valid yet)`;
  if (now > info.notAfter) return `${range} (EXPIRED)`;
  const days = Math.floor((info.notAfter.getTime() - now.getTime()) / DAY_MS);
  return `${range} (${days} ${days === 1 ? "day" : "days"} left)`;
}

export function formatCertificate(info: CertificateInfo, now: Date): string[] {
  const lines = [
    row("Subject", info.subject === "" ? "(empty)" : info.subject),
    row("Issuer", info.issuer),
    row("Names", list(info.names)),
    row("Serial number", info.serialNumber),
    row("Validity", validityText(info, now)),
    row("Key", keyText(info.publicKey)),
    row("Signature algorithm", info.signatureAlgorithm),
    row(
      "CA",
      info.isCa
        ? `yes${info.pathLength === undefined ? "" : ` (path length ${info.pathLength})`}`
        : "no",
    ),
  ];
  if (info.keyUsages.length > 0) lines.push(row("Key usage", list(info.keyUsages)));
  if (info.extendedKeyUsages.length > 0) {
    lines.push(row("Extended key usage", list(info.extendedKeyUsages)));
  }
  lines.push(row("SHA-256 fingerprint", info.sha256Fingerprint));
  return lines;
}
