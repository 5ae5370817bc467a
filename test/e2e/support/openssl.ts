import { execFileSync } from "node:child_process";

export function openssl(args: string[], input?: string | Uint8Array): string {
  return execFileSync("openssl", args, {
    input,
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
  });
}

export function publicKeyOfCertificate(certificateFile: string): string {
  return openssl(["x509", "-in", certificateFile, "-noout", "-pubkey"]);
}

export function publicKeyOfPrivateKey(keyFile: string): string {
  return openssl(["pkey", "-in", keyFile, "-pubout"]);
}
