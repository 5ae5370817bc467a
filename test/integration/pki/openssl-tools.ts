import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyType } from "../../../functions/domain/key-types.ts";

/** `openssl req` arguments for a new key of each key type certflow offers. */
export const OPENSSL_NEW_KEY: Record<KeyType, readonly string[]> = {
  "EC-P256": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
  "EC-P384": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
  "RSA-2048": ["-newkey", "rsa:2048"],
  "RSA-3072": ["-newkey", "rsa:3072"],
  "RSA-4096": ["-newkey", "rsa:4096"],
};

/** What `newKeyRequest` makes with a new key; `newKey` as in OPENSSL_NEW_KEY. */
export interface OpensslRequest {
  readonly newKey: readonly string[];
  readonly subject: string;
  /** A self-signed certificate (`req -x509`) instead of a CSR. */
  readonly selfSigned?: boolean;
  /** More `openssl req` arguments, e.g. -addext or -days. */
  readonly extra?: readonly string[];
}

/** A scratch directory and openssl, run synchronously; throws with openssl's stderr on failure. */
export function opensslWorkspace(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const openssl = (args: readonly string[]) => {
    try {
      return execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? "";
      throw new Error(`openssl ${args.join(" ")} failed: ${stderr}`);
    }
  };
  const file = (name: string, content?: string | Uint8Array) => {
    const path = join(dir, name);
    if (content !== undefined) writeFileSync(path, content);
    return path;
  };
  const read = (name: string) => readFileSync(join(dir, name), "utf8");

  /**
   * `openssl req` with a new key, kept without a passphrase in `<name>.key`: a CSR in
   * `<name>.csr`, or a self-signed certificate in `<name>.pem`. The path of what it made.
   */
  const newKeyRequest = (name: string, request: OpensslRequest) => {
    const out = file(`${name}.${request.selfSigned ? "pem" : "csr"}`);
    openssl([
      "req",
      request.selfSigned ? "-x509" : "-new",
      ...request.newKey,
      "-nodes",
      "-keyout",
      file(`${name}.key`),
      "-out",
      out,
      "-subj",
      request.subject,
      ...(request.extra ?? []),
    ]);
    return out;
  };

  /** Signs `<name>.csr` as the CA `<ca>.pem` (key `<ca>.key`) with `extensions`, into `<name>.pem`. */
  const signCsr = (name: string, ca: string, extensions: string) => {
    openssl([
      "x509",
      "-req",
      "-in",
      file(`${name}.csr`),
      "-CA",
      file(`${ca}.pem`),
      "-CAkey",
      file(`${ca}.key`),
      "-CAcreateserial",
      "-days",
      "30",
      "-extfile",
      file(`${name}.ext`, extensions),
      "-out",
      file(`${name}.pem`),
    ]);
    return read(`${name}.pem`);
  };

  /** openssl's SHA-256 fingerprint line of the certificate at `path`. */
  const fingerprintLine = (path: string) =>
    openssl(["x509", "-in", path, "-noout", "-fingerprint", "-sha256"]).trim();

  return { dir, openssl, file, read, newKeyRequest, signCsr, fingerprintLine };
}
