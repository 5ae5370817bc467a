import { readFile } from "node:fs/promises";
import { orderChain } from "../pki/certificate-chain.ts";
import { type CertificateInfo, parseCertificate } from "../pki/certificate-info.ts";
import { type CsrVerification, verifyCsr } from "../pki/csr-verify.ts";
import { parsePemBlocks, pemTextOf, toPem } from "../pki/pem.ts";
import { looksLikePkcs12, Pkcs12Unreadable, readPkcs12Contents } from "../pki/pkcs12-contents.ts";
import { type CliIo, EXIT_OK, EXIT_PROBLEMS, parseOptions, UsageError } from "./cli-io.ts";
import type { CliCommand } from "./commands.ts";
import { domainArguments } from "./domain-arguments.ts";
import { formatCertificate, formatCsr } from "./inspect-format.ts";

const help = `Usage: certflow inspect FILE [--domain NAME ...] [--password PASSWORD] [--json]

Shows what a CSR or a certificate holds: subject, names, key and signature algorithm, and for
certificates also issuer, serial number, validity and SHA-256 fingerprint. PEM or DER is
detected; a PEM bundle or a PKCS#12 file (.pfx, .p12) shows each certificate and whether they
form a chain. Private keys are counted, never shown.

Options:
  --domain NAME        a name of the order; repeat for each. A CSR must hold exactly these
                       names (every defect is listed); a certificate must cover them.
  --password PASSWORD  the password of a PKCS#12 file; $CERTFLOW_PFX_PASSWORD keeps it out of
                       the process list
  --json               machine-readable output
  -h, --help      this help

Exit status: 0 all fine, 1 defects or missing names found, 2 bad arguments or unreadable file.`;

const options = {
  domain: { type: "string", multiple: true },
  password: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

const CSR_LABELS = ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"];

interface Contents {
  csr?: Uint8Array;
  certificates: Uint8Array[];
  /** Private keys in a PKCS#12 file (counted, never read out). */
  privateKeys?: number;
}

const PKCS12_FILE = /\.(pfx|p12)$/i;

async function pkcs12ContentsOf(
  bytes: Uint8Array,
  file: string,
  password: string | undefined,
): Promise<Contents> {
  if (password === undefined) {
    throw new UsageError(
      `${file} is a PKCS#12 (pfx/p12) file: give its password with --password or $CERTFLOW_PFX_PASSWORD.`,
    );
  }
  try {
    const contents = await readPkcs12Contents(bytes, password);
    return { certificates: [...contents.certificates], privateKeys: contents.privateKeys };
  } catch (error) {
    if (error instanceof Pkcs12Unreadable) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

function contentsOf(bytes: Uint8Array, file: string): Contents {
  const text = pemTextOf(bytes);
  if (text === undefined) {
    try {
      parseCertificate(bytes);
      return { certificates: [bytes] };
    } catch {
      return { csr: bytes, certificates: [] };
    }
  }
  const blocks = parsePemBlocks(text);
  const contents: Contents = {
    csr: blocks.find((block) => CSR_LABELS.includes(block.label))?.der,
    certificates: blocks.filter((block) => block.label === "CERTIFICATE").map((block) => block.der),
  };
  if (contents.csr === undefined && contents.certificates.length === 0) {
    const labels = [...new Set(blocks.map((block) => block.label))];
    if (labels.some((label) => label.includes("PRIVATE KEY"))) {
      throw new UsageError(
        `${file} holds a private key; inspect shows CSRs and certificates, and never prints keys.`,
      );
    }
    throw new UsageError(
      labels.length === 0
        ? `${file} holds no PEM block.`
        : `${file} holds ${labels.join(", ")}, not a CSR or certificate.`,
    );
  }
  return contents;
}

/** Which of `names` the certificate does not cover (wildcards cover one label). */
function uncovered(info: CertificateInfo, names: readonly string[]): string[] {
  const covers = (pattern: string, name: string) =>
    pattern === name ||
    (pattern.startsWith("*.") &&
      name.endsWith(pattern.slice(1)) &&
      !name.slice(0, -pattern.length + 1).includes("."));
  return names.filter((name) => !info.names.some((pattern) => covers(pattern, name)));
}

type ChainReport = { ordered: boolean; order?: number[]; problem?: string };

function chainReport(certificates: readonly Uint8Array[]): ChainReport | undefined {
  if (certificates.length < 2) return undefined;
  const pems = certificates.map((der) => toPem(der, "CERTIFICATE"));
  try {
    const ordered = orderChain(pems);
    const order = ordered.map((pem) => pems.indexOf(pem) + 1);
    return { ordered: order.every((position, index) => position === index + 1), order };
  } catch (error) {
    return { ordered: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

async function readInput(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT" ? `${file} does not exist.` : `cannot read ${file} (${code ?? error}).`,
    );
  }
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, options, true);
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError("name the FILE to inspect.");
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'.`);
  const expected =
    values.domain === undefined
      ? undefined
      : domainArguments(values.domain, "private", io).map((name) => name.ascii);
  const bytes = await readInput(file);
  const password = values.password ?? process.env.CERTFLOW_PFX_PASSWORD;
  const contents =
    PKCS12_FILE.test(file) || (pemTextOf(bytes) === undefined && looksLikePkcs12(bytes))
      ? await pkcs12ContentsOf(bytes, file, password)
      : contentsOf(bytes, file);

  let csr: CsrVerification | undefined;
  if (contents.csr !== undefined) {
    csr = await verifyCsr(contents.csr, expected);
    if (csr.summary === undefined && contents.certificates.length === 0) {
      const reason = csr.defects[0]?.message ?? "unreadable";
      throw new UsageError(`${file} is neither a certificate nor a readable CSR: ${reason}`);
    }
  }
  let certificates: CertificateInfo[];
  try {
    certificates = contents.certificates.map((der) => parseCertificate(der));
  } catch (error) {
    throw new UsageError(
      `${file} holds a certificate that cannot be read (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  const chain = chainReport(contents.certificates);
  const leaf = certificates.find((info) => !info.isCa) ?? certificates[0];
  const missingNames =
    expected === undefined || leaf === undefined ? undefined : uncovered(leaf, expected);
  const problems = (csr !== undefined && !csr.ok) || (missingNames?.length ?? 0) > 0;

  if (values.json) {
    const privateKeys = contents.privateKeys;
    io.out(JSON.stringify({ file, csr, certificates, chain, missingNames, privateKeys }, null, 2));
    return problems ? EXIT_PROBLEMS : EXIT_OK;
  }
  if (csr !== undefined) {
    io.out(`${file}: certificate signing request (CSR)`);
    for (const line of formatCsr(csr, expected !== undefined)) io.out(line);
  }
  const now = new Date();
  certificates.forEach((info, index) => {
    io.out(
      certificates.length === 1
        ? `${file}: certificate`
        : `${file}: certificate ${index + 1} of ${certificates.length}`,
    );
    for (const line of formatCertificate(info, now)) io.out(line);
  });
  if (contents.privateKeys !== undefined) {
    io.out(
      `${file}: PKCS#12 file with ${certificates.length} certificate(s) and ${contents.privateKeys} private key(s) (keys are not shown).`,
    );
  }
  if (chain !== undefined) {
    io.out(
      chain.problem !== undefined
        ? `Chain: ${chain.problem}`
        : chain.ordered
          ? "Chain: one chain, in order from the leaf up."
          : `Chain: one chain, but out of order; leaf first it is certificates ${chain.order?.join(", ")}.`,
    );
  }
  if (missingNames !== undefined && leaf !== undefined) {
    io.out(
      missingNames.length === 0
        ? `The certificate for ${leaf.commonName ?? leaf.names[0] ?? "(no name)"} covers every name given.`
        : `The certificate does not cover: ${missingNames.join(", ")}.`,
    );
  }
  return problems ? EXIT_PROBLEMS : EXIT_OK;
}

export const inspectCommand: CliCommand = {
  help,
  run,
};
