import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { CliIo } from "../../../functions/cli/cli-io.ts";
import { COMMANDS } from "../../../functions/cli/commands.ts";
import { main } from "../../../functions/cli/main.ts";
import { certificateDer, parseCertificate } from "../../../functions/pki/certificate-info.ts";
import { verifyCsr } from "../../../functions/pki/csr-verify.ts";
import { importPrivateKeyPkcs8, publicKeyMatches } from "../../../functions/pki/key-import.ts";
import { hierarchy, leafFor } from "../pki/ca-fixtures.ts";
import { craftCsr, rsaKeys } from "../pki/crafted-csrs.ts";

let out: string[];
let err: string[];
const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text) };
const stdout = () => out.join("\n");
const stderr = () => err.join("\n");
let dir: string;

beforeEach(() => {
  out = [];
  err = [];
  dir = mkdtempSync(join(tmpdir(), "certflow-cli-"));
});

const run = (...args: string[]) => main(args, io);

describe("certflow", () => {
  it("lists the commands with --help (exit 0) and without arguments (exit 2)", async () => {
    expect(await run("--help")).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(stdout()).toContain(`  ${name}`);
    out = [];
    expect(await run()).toBe(2);
    expect(stderr()).toContain("Usage: certflow <command>");
  });

  it("refuses an unknown command with exit 2", async () => {
    expect(await run("frobnicate")).toBe(2);
    expect(stderr()).toContain("unknown command 'frobnicate'");
  });

  it.each(Object.keys(COMMANDS))(
    "prints help for %s (--help, -h, help <command>)",
    async (name) => {
      expect(await run(name, "--help")).toBe(0);
      expect(await run(name, "-h")).toBe(0);
      expect(await run("help", name)).toBe(0);
      expect(out).toHaveLength(3);
      expect(new Set(out)).toEqual(new Set([(await COMMANDS[name]?.load())?.help]));
      expect(stdout()).toContain(`certflow ${name}`);
    },
  );
});

describe("certflow csr", () => {
  it("writes request.csr and a 0600 PKCS#8 private.key that belong together", async () => {
    const out = join(dir, "new", "sub");
    expect(
      await run(
        "csr",
        "--domain",
        "Shop.Example.com",
        "--domain",
        "www.shop.example.com",
        "--key",
        "ec-p384",
        "--org",
        "Example GmbH",
        "--country",
        "de",
        "--out",
        out,
      ),
    ).toBe(0);
    const csr = readFileSync(join(out, "request.csr"), "utf8");
    const keyPem = readFileSync(join(out, "private.key"), "utf8");
    expect(statSync(join(out, "private.key")).mode & 0o777).toBe(0o600);
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const verification = await verifyCsr(csr, ["shop.example.com", "www.shop.example.com"]);
    expect(verification.defects).toEqual([]);
    expect(verification.summary).toMatchObject({
      keyType: "EC-P384",
      subject: { C: "DE", O: "Example GmbH" },
    });
    const key = await importPrivateKeyPkcs8(keyPem, "EC-P384");
    expect(publicKeyMatches(key, csr)).toBe(true);
    expect(stdout()).toContain(join(out, "request.csr"));
    expect(stdout()).toContain("Next:");
    expect(stdout()).not.toContain(keyPem.split("\n")[1]);
  });

  it("refuses to overwrite existing files unless --force, and keeps them intact", async () => {
    expect(await run("csr", "--domain", "a.example.com", "--out", dir)).toBe(0);
    const key = readFileSync(join(dir, "private.key"), "utf8");
    expect(await run("csr", "--domain", "a.example.com", "--out", dir)).toBe(2);
    expect(stderr()).toContain("already exist; use --force");
    expect(readFileSync(join(dir, "private.key"), "utf8")).toBe(key);

    writeFileSync(join(dir, "private.key"), "old", { mode: 0o644 });
    expect(await run("csr", "--domain", "a.example.com", "--out", dir, "--force")).toBe(0);
    expect(readFileSync(join(dir, "private.key"), "utf8")).not.toBe("old");
    expect(statSync(join(dir, "private.key")).mode & 0o777).toBe(0o600);
  });

  it("allows internal names only with --private, and says so", async () => {
    expect(await run("csr", "--domain", "intranet.corp", "--out", dir)).toBe(2);
    expect(stderr()).toContain("add --private");
    expect(await run("csr", "--domain", "intranet.corp", "--private", "--out", dir)).toBe(0);
  });

  it.each([
    [["--out", "DIR"], "at least one --domain"],
    [["--domain", "a.example.com"], "--out DIR is required"],
    [["--domain", "a.example.com", "--out", "DIR", "--key", "DSA-1024"], "--key must be one of"],
    [["--domain", "a.example.com", "--out", "DIR", "--country", "Germany"], "two-letter"],
    [["--domain", "a..example.com", "--out", "DIR"], "empty label"],
    [["--domain", "a.example.com", "--out", "DIR", "--colour"], "Unknown option '--colour'"],
    [["--domain", "a.example.com", "--out", "DIR", "b.example.com"], "unexpected argument"],
    [["--domain", "--out", "DIR"], "--domain"],
  ])("exits 2 on %j", async (args, message) => {
    expect(await run("csr", ...args.map((arg) => (arg === "DIR" ? dir : arg)))).toBe(2);
    expect(stderr()).toContain(message);
    expect(stderr()).toContain("certflow csr --help");
  });
});

describe("certflow inspect", () => {
  const csrFile = async (...domains: string[]) => {
    expect(
      await run("csr", ...domains.flatMap((domain) => ["--domain", domain]), "--out", dir),
    ).toBe(0);
    out = [];
    return join(dir, "request.csr");
  };

  it("shows a CSR and confirms its names (exit 0)", async () => {
    const file = await csrFile("a.example.com", "b.example.com", "c.example.com");
    const names = ["A.example.com", "c.example.com", "b.example.com"];
    expect(await run("inspect", file, ...names.flatMap((name) => ["--domain", name]))).toBe(0);
    expect(stdout()).toContain("certificate signing request (CSR)");
    expect(stdout()).toContain("a.example.com, b.example.com, c.example.com");
    expect(stdout()).toContain("EC P-256 (EC-P256)");
    expect(stdout()).toContain("ecdsa-with-SHA256");
    expect(stdout()).toContain("OK: correctly signed");
  });

  it("lists every defect of a CSR against the names given (exit 1)", async () => {
    const file = join(dir, "weak.csr");
    writeFileSync(
      file,
      await craftCsr({ keys: await rsaKeys(1024, "SHA-1"), commonName: "other.example.com" }),
    );
    expect(await run("inspect", file, "--domain", "a.example.com")).toBe(1);
    for (const code of [
      "KEY_TOO_SMALL",
      "WEAK_SIGNATURE_HASH",
      "NAME_MISSING",
      "NAME_NOT_ORDERED",
      "COMMON_NAME_MISMATCH",
    ]) {
      expect(stdout()).toContain(code);
    }
    expect(stdout()).toContain("5 defects");
  });

  it("prints JSON with --json", async () => {
    const file = await csrFile("a.example.com");
    expect(await run("inspect", file, "--json", "--domain", "x.example.com")).toBe(1);
    const report = JSON.parse(stdout());
    expect(report.csr.defects.map((defect: { code: string }) => defect.code)).toEqual([
      "NAME_MISSING",
      "NAME_NOT_ORDERED",
      "COMMON_NAME_MISMATCH",
    ]);
    expect(report.csr.summary.names).toEqual(["a.example.com"]);
  });

  it("shows each certificate of a bundle, the chain order and the names covered", async () => {
    const { root, intermediate } = await hierarchy();
    const { certificatePem } = await leafFor(intermediate, [
      "shop.example.com",
      "*.img.example.com",
    ]);
    const file = join(dir, "bundle.pem");
    writeFileSync(file, `${intermediate.certificatePem}${certificatePem}${root.certificatePem}`);
    expect(
      await run("inspect", file, "--domain", "a.img.example.com", "--domain", "shop.example.com"),
    ).toBe(0);
    const info = parseCertificate(certificatePem);
    expect(stdout()).toContain("certificate 2 of 3");
    expect(stdout()).toContain(info.sha256Fingerprint);
    expect(stdout()).toContain(info.serialNumber);
    expect(stdout()).toContain("out of order; leaf first it is certificates 2, 1, 3");
    expect(stdout()).toContain("covers every name given");

    out = [];
    expect(await run("inspect", file, "--domain", "a.b.img.example.com")).toBe(1);
    expect(stdout()).toContain("does not cover: a.b.img.example.com");
  });

  it("reads a DER certificate", async () => {
    const { intermediate } = await hierarchy();
    const { certificatePem } = await leafFor(intermediate);
    const file = join(dir, "leaf.der");
    writeFileSync(file, certificateDer(certificatePem));
    expect(await run("inspect", file)).toBe(0);
    expect(stdout()).toContain(parseCertificate(certificatePem).sha256Fingerprint);
  });

  it.each([
    ["a missing file", () => join(dir, "nope.pem"), "does not exist"],
    [
      "garbage",
      () => writeTemp("garbage.bin", "hello world"),
      "neither a certificate nor a readable CSR",
    ],
    [
      "a broken PEM CSR",
      () =>
        writeTemp(
          "broken.csr",
          "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
        ),
      "could not be decoded",
    ],
    [
      "an unrelated PEM block",
      () =>
        writeTemp(
          "params.pem",
          "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n",
        ),
      "EC PARAMETERS, not a CSR",
    ],
  ])("exits 2 on %s", async (_, file, message) => {
    expect(await run("inspect", file())).toBe(2);
    expect(stderr()).toContain(message);
  });

  it("never prints a private key it is given (exit 2)", async () => {
    await csrFile("a.example.com");
    const keyPem = readFileSync(join(dir, "private.key"), "utf8");
    expect(await run("inspect", join(dir, "private.key"))).toBe(2);
    expect(stderr()).toContain("holds a private key");
    expect(`${stdout()}${stderr()}`).not.toContain(keyPem.split("\n")[1]);
  });

  it("exits 2 without a file or with two", async () => {
    expect(await run("inspect")).toBe(2);
    expect(await run("inspect", "a", "b")).toBe(2);
    expect(stderr()).toContain("unexpected argument 'b'");
  });
});

function writeTemp(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}
