import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Extensions of a CA certificate; `pathlen:0` for one that issues only end-entity certificates. */
export const CA_EXTENSIONS = (pathLength?: number) => [
  "-addext",
  `basicConstraints=critical,CA:TRUE${pathLength === undefined ? "" : `,pathlen:${pathLength}`}`,
  "-addext",
  `keyUsage=critical,keyCertSign,cRLSign${pathLength === undefined ? "" : ",digitalSignature"}`,
];

/**
 * `openssl req -x509` with a new P-256 key, valid for 2 days, into `<dir>/<name>.pem` and
 * `<name>.key`: self-signed, or issued by the certificate and key `<dir>/<issuer>.pem|.key`.
 */
export async function newP256Certificate(
  dir: string,
  name: string,
  options: { readonly subject: string; readonly issuer?: string; readonly extensions: string[] },
) {
  const certificatePath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key`);
  const issuer =
    options.issuer === undefined
      ? []
      : ["-CA", join(dir, `${options.issuer}.pem`), "-CAkey", join(dir, `${options.issuer}.key`)];
  await run("openssl", [
    "req",
    "-x509",
    ...["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
    ...issuer,
    ...["-keyout", keyPath, "-out", certificatePath, "-days", "2", "-subj", options.subject],
    ...options.extensions,
  ]);
  return { certificatePath, keyPath, pem: await readFile(certificatePath, "utf8") };
}
