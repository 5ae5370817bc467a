import { spawnSync } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OPENSSL_NEW_KEY, opensslWorkspace } from "../pki/openssl-tools.ts";

const { dir, openssl, newKeyRequest, fingerprintLine } = opensslWorkspace("certflow-cli-");

/** A self-signed certificate and its key in a PKCS#12 file openssl wrote, with `password`. */
function opensslPfx(name: string, password: string) {
  const certificate = newKeyRequest(name, {
    newKey: OPENSSL_NEW_KEY["EC-P256"],
    subject: `/CN=${name}.example.com`,
    selfSigned: true,
    extra: ["-addext", `subjectAltName=DNS:${name}.example.com`, "-days", "2"],
  });
  const pfx = join(dir, `${name}.pfx`);
  openssl([
    "pkcs12",
    "-export",
    "-in",
    certificate,
    "-inkey",
    join(dir, `${name}.key`),
    "-out",
    pfx,
    "-passout",
    `pass:${password}`,
  ]);
  return { certificate, pfx };
}
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

  it("inspect opens a PKCS#12 file with its password, shows its certificate and counts its key", () => {
    // Prepare
    const { certificate, pfx } = opensslPfx("bundle", "s3cret-pass");
    const fingerprint = fingerprintLine(certificate).split("=")[1];

    // Act
    const result = certflow(
      "inspect",
      pfx,
      "--password",
      "s3cret-pass",
      "--domain",
      "bundle.example.com",
    );

    // Assess
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`SHA-256 fingerprint:  ${fingerprint}`);
    expect(result.stdout).toContain("1 certificate(s) and 1 private key(s) (keys are not shown)");
    expect(result.stdout).not.toContain("PRIVATE KEY");
  });

  it("inspect names what is missing or wrong about a PKCS#12 file's password, exit 2", () => {
    // Prepare
    const { pfx } = opensslPfx("locked", "right-pass");

    // Act
    const withoutPassword = certflow("inspect", pfx);
    const wrongPassword = certflow("inspect", pfx, "--password", "wrong-pass");

    // Assess
    expect(withoutPassword.status).toBe(2);
    expect(withoutPassword.stderr).toContain("give its password with --password");
    expect(wrongPassword.status).toBe(2);
    expect(wrongPassword.stderr).toContain("the password does not open it");
    expect(wrongPassword.stderr).not.toContain("wrong-pass");
  });

  it("inspect ends quietly when its reader closes the pipe early (| head)", () => {
    // Prepare
    const certificate = newKeyRequest("piped", {
      newKey: OPENSSL_NEW_KEY["EC-P256"],
      subject: "/CN=piped.example.com",
      selfSigned: true,
    });
    const bundle = join(dir, "many.pem");
    writeFileSync(bundle, spawnSync("cat", Array(400).fill(certificate)).stdout);

    // Act
    const result = spawnSync(
      "bash",
      ["-c", `set -o pipefail; "${process.execPath}" "${bin}" inspect "${bundle}" | head -n 1`],
      { encoding: "utf8" },
    );

    // Assess
    expect(result.stdout).toBe("many.pem: certificate 1 of 400\n".replace("many.pem", bundle));
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("exits 2 with a message on bad arguments", () => {
    const result = certflow("csr", "--domain", "shop.example.com");

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--out DIR is required");
  });
});
