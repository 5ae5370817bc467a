import { existsSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { isKeyType, KEY_TYPES, type KeyType } from "../domain/key-types.ts";
import { buildCsr, type CsrSubject, subjectRdns } from "../pki/csr-build.ts";
import { exportPrivateKeyPkcs8, generateKeyPair } from "../pki/key-pairs.ts";
import { toPem } from "../pki/pem.ts";
import { type CliIo, EXIT_OK, parseOptions, UsageError } from "./cli-io.ts";
import type { CliCommand } from "./commands.ts";
import { domainArguments, showName } from "./domain-arguments.ts";

const CSR_FILE = "request.csr";
const KEY_FILE = "private.key";

const help = `Usage: certflow csr --domain NAME [--domain NAME ...] --out DIR [options]

Creates a private key and a certificate signing request (CSR) for the names, on this machine:
the private key never leaves it. Writes DIR/${CSR_FILE} and DIR/${KEY_FILE} (PKCS#8 PEM, mode 0600).

Options:
  --domain NAME     a name the certificate covers; repeat for more (the first is the common name)
  --key TYPE        ${KEY_TYPES.join(", ")} (default EC-P256)
  --org TEXT        organization (O)
  --unit TEXT       organizational unit (OU)
  --locality TEXT   city (L)
  --state TEXT      state or province (ST)
  --country CODE    two-letter country code (C), e.g. DE
  --out DIR         directory for the files (created if missing)
  --force           overwrite existing files there (the old private key is lost)
  --private         allow internal names (such as host.corp) that only a private CA issues for
  -h, --help        this help`;

const options = {
  domain: { type: "string", multiple: true },
  key: { type: "string" },
  org: { type: "string" },
  unit: { type: "string" },
  locality: { type: "string" },
  state: { type: "string" },
  country: { type: "string" },
  out: { type: "string" },
  force: { type: "boolean", default: false },
  private: { type: "boolean", default: false },
} as const;

function keyTypeArgument(value: string | undefined): KeyType {
  if (value === undefined) return "EC-P256";
  const upper = value.toUpperCase();
  if (!isKeyType(upper)) {
    throw new UsageError(`--key must be one of ${KEY_TYPES.join(", ")}, not '${value}'.`);
  }
  return upper;
}

function subjectArgument(values: {
  org?: string;
  unit?: string;
  locality?: string;
  state?: string;
  country?: string;
}): CsrSubject {
  const subject: CsrSubject = {
    organization: values.org,
    organizationalUnit: values.unit,
    locality: values.locality,
    state: values.state,
    country: values.country,
  };
  try {
    subjectRdns(undefined, subject);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return subject;
}

async function writeNew(path: string, content: string, mode: number, force: boolean) {
  try {
    await writeFile(path, content, { mode, flag: force ? "w" : "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new UsageError(`${path} already exists; use --force to overwrite it.`);
    }
    throw error;
  }
  // The mode of writeFile applies only to new files; an overwritten one keeps its old mode.
  await chmod(path, mode);
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, options, true);
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument '${positionals[0]}'; names go after --domain.`);
  }
  const names = domainArguments(values.domain, values.private ? "private" : "public", io);
  const keyType = keyTypeArgument(values.key);
  const subject = subjectArgument(values);
  if (values.out === undefined) throw new UsageError("--out DIR is required.");
  const directory = resolve(values.out);
  const csrPath = join(directory, CSR_FILE);
  const keyPath = join(directory, KEY_FILE);

  await mkdir(directory, { recursive: true, mode: 0o700 });
  if (!values.force) {
    // Refuse before writing anything, so a second run never leaves a key without its CSR.
    const existing = [keyPath, csrPath].filter((path) => existsSync(path));
    if (existing.length > 0) {
      throw new UsageError(
        `${existing.join(" and ")} already ${existing.length === 1 ? "exists" : "exist"}; use --force to overwrite (the old private key is then lost).`,
      );
    }
  }
  const keys = await generateKeyPair(keyType);
  const csrPem = await buildCsr({ keys, names: names.map((name) => name.ascii), subject });
  const keyPem = toPem(await exportPrivateKeyPkcs8(keys.privateKey), "PRIVATE KEY");
  await writeNew(keyPath, keyPem, 0o600, values.force);
  await writeNew(csrPath, csrPem, 0o644, values.force);

  io.out(`Created an ${keyType} key and a CSR for ${names.map(showName).join(", ")}.`);
  io.out(`  CSR:         ${csrPath}`);
  io.out(`  private key: ${keyPath} (mode 0600; keep it secret and keep it here)`);
  io.out("");
  io.out(
    `Next: send the contents of ${CSR_FILE} with your order (the "csr" field of POST /v1/orders).`,
  );
  io.out(
    `Check it first with: certflow inspect ${csrPath} ${names.map((name) => `--domain ${name.ascii}`).join(" ")}`,
  );
  io.out(`When the certificate is issued, install it together with ${KEY_FILE}.`);
  return EXIT_OK;
}

export const csrCommand: CliCommand = {
  help,
  run,
};
