import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OPENSSL_NEW_KEY, opensslWorkspace } from "../pki/openssl-tools.ts";

const { dir, openssl, newKeyRequest, fingerprintLine } = opensslWorkspace("certflow-cli-");
const bin = join(import.meta.dirname, "..", "..", "..", "bin", "certflow.mjs");

function certflow(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("bin/certflow.mjs", () => {
  it.each(["EC-P256", "RSA-2048"])(
    "csr --key %s writes a CSR openssl accepts and the key that made it",
    (keyType) => {
      // Prepare
      const out = join(dir, keyType);

      // Act
      const result = certflow(
        "csr",
        "--domain",
        "shop.example.com",
        "--domain",
        "www.shop.example.com",
        "--key",
        keyType,
        "--org",
        "Example",
        "--out",
        out,
      );

      // Assess
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      const csr = join(out, "request.csr");
      const key = join(out, "private.key");
      expect(openssl(["req", "-in", csr, "-verify", "-noout"])).toBe("");
      expect(openssl(["req", "-in", csr, "-noout", "-text"])).toContain(
        "DNS:shop.example.com, DNS:www.shop.example.com",
      );
      expect(openssl(["pkey", "-in", key, "-pubout"])).toBe(
        openssl(["req", "-in", csr, "-noout", "-pubkey"]),
      );
      expect(statSync(key).mode & 0o777).toBe(0o600);
    },
  );

  it("inspect lists the defects of an openssl CSR for other names, exit 1; --json parses", () => {
    // Prepare
    const csr = newKeyRequest("other", {
      newKey: OPENSSL_NEW_KEY["RSA-2048"],
      subject: "/CN=other.example.com",
    });

    // Act
    const text = certflow("inspect", csr, "--domain", "shop.example.com");
    const json = certflow("inspect", csr, "--json");

    // Assess
    expect(text.status).toBe(1);
    expect(text.stdout).toContain("NAME_MISSING");
    expect(text.stdout).toContain("COMMON_NAME_MISMATCH");
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout).csr.summary).toMatchObject({
      keyType: "RSA-2048",
      names: ["other.example.com"],
    });
  });

  it("inspect shows an openssl certificate's fingerprint as openssl prints it", () => {
    // Prepare
    const certificate = newKeyRequest("self", {
      newKey: OPENSSL_NEW_KEY["EC-P256"],
      subject: "/CN=self.example.com",
      selfSigned: true,
      extra: ["-addext", "subjectAltName=DNS:self.example.com", "-days", "2"],
    });
    const fingerprint = fingerprintLine(certificate).split("=")[1];

    // Act
    const result = certflow("inspect", certificate, "--domain", "self.example.com");

    // Assess
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`SHA-256 fingerprint:  ${fingerprint}`);
    expect(result.stdout).toContain("covers every name given");
  });

  it("exits 2 with a message on bad arguments", () => {
    const result = certflow("csr", "--domain", "shop.example.com");

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--out DIR is required");
  });
});
