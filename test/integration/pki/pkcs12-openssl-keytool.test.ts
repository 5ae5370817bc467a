import { beforeAll, describe, expect, it } from "vitest";
import { buildDeliveryBundle } from "../../../functions/pki/delivery-bundles.ts";
import { TEST_KEY_TYPES, type TestChain, testChain } from "../../unit/pki/delivery-test-pki.ts";
import { requireTools, runTool, scratchDirectory, toolOutput } from "./delivery-tools.ts";

const PASSWORD = "Tomcat-and-IIS-1";
const file = scratchDirectory("certflow-pkcs12-");
let chain: TestChain;

beforeAll(async () => {
  requireTools();
  chain = await testChain();
});

async function issuedInput(keyType: (typeof TEST_KEY_TYPES)[number]) {
  const leaf = await chain.issue(keyType, "shop.example.com");
  const certificate = file(`${keyType}.crt`, leaf.certificatePem);
  return {
    certificate,
    input: {
      commonName: "shop.example.com",
      certificatePem: leaf.certificatePem,
      chainPems: [chain.intermediatePem],
      privateKeyPkcs8: leaf.pkcs8,
      password: PASSWORD,
    },
  };
}

type BundleInput = Awaited<ReturnType<typeof issuedInput>>["input"];

/** The bundle for `format` written to the file `name`; its path. */
async function bundleFile(name: string, format: "iis" | "tomcat", input: BundleInput) {
  return file(name, (await buildDeliveryBundle(format, input)).body);
}

/** The legacy .pfx (`format=iis&profile=legacy`); its path. */
async function legacyPfxFile(name: string, input: BundleInput) {
  return file(name, (await buildDeliveryBundle("iis", { ...input, profile: "legacy" })).body);
}

/** What `openssl pkcs12 -info` says of a file's structure: algorithms, iterations, bags. */
const structureOf = (report: string) =>
  report
    .split("\n")
    .filter((line) => /^(MAC|PKCS7|Shrouded Keybag|Certificate bag)/.test(line))
    .map((line) => line.trim());

/** `openssl pkcs12` on the file `pfx` opened with `password`, then `options`. */
const pkcs12 = (pfx: string, password: string, ...options: string[]) => [
  "pkcs12",
  "-in",
  pfx,
  "-passin",
  `pass:${password}`,
  ...options,
];

/** `keytool -list` of the PKCS#12 keystore `p12` opened with `password`. */
const keystoreList = (p12: string, password: string, ...options: string[]) => [
  "-list",
  ...options,
  "-keystore",
  p12,
  "-storetype",
  "PKCS12",
  "-storepass",
  password,
];

describe.each(TEST_KEY_TYPES)("a %s certificate", (keyType) => {
  it("as .pfx opens in openssl with PBES2/AES-256-CBC and an HMAC-SHA256 MAC, 10000 iterations", async () => {
    // Prepare
    const { certificate, input } = await issuedInput(keyType);
    const pfx = await bundleFile(`${keyType}.pfx`, "iis", input);
    const key = file(`${keyType}.pfx.key`);

    // Act
    const info = runTool("openssl", pkcs12(pfx, PASSWORD, "-info", "-noout"));
    toolOutput("openssl", pkcs12(pfx, PASSWORD, "-nocerts", "-noenc", "-out", key));
    const leafOut = toolOutput("openssl", pkcs12(pfx, PASSWORD, "-clcerts", "-nokeys"));

    // Assess
    expect(info.status, info.stderr).toBe(0);
    const report = info.stdout + info.stderr;
    expect(report).toContain("MAC: sha256, Iteration 10000");
    expect(report).toMatch(
      /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256/,
    );
    expect(report).toMatch(
      /PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256/,
    );
    expect(report.match(/Certificate bag/g)).toHaveLength(2);
    // The key openssl takes out of the file belongs to the leaf certificate.
    expect(toolOutput("openssl", ["pkey", "-in", key, "-pubout"])).toBe(
      toolOutput("openssl", ["x509", "-in", certificate, "-noout", "-pubkey"]),
    );
    expect(leafOut).toContain("friendlyName: shop.example.com");
    expect(leafOut).toContain("subject=CN = shop.example.com");
  });

  it("as legacy .pfx has 3DES key and certificate bags and a SHA-1 MAC, as openssl -legacy writes", async () => {
    // Prepare
    const { certificate, input } = await issuedInput(keyType);
    const pfx = await legacyPfxFile(`${keyType}-legacy.pfx`, input);
    const key = file(`${keyType}-legacy.key`);
    const keyDer = file(`${keyType}-reference.der`, input.privateKeyPkcs8);
    const keyPem = file(`${keyType}-reference.key`);
    toolOutput("openssl", ["pkey", "-inform", "DER", "-in", keyDer, "-out", keyPem]);
    const chainPem = file(`${keyType}-chain.pem`, chain.intermediatePem);
    const reference = file(`${keyType}-reference.pfx`);
    toolOutput("openssl", [
      "pkcs12",
      "-export",
      "-legacy",
      "-certpbe",
      "PBE-SHA1-3DES",
      "-keypbe",
      "PBE-SHA1-3DES",
      "-macalg",
      "sha1",
      "-in",
      certificate,
      "-certfile",
      chainPem,
      "-inkey",
      keyPem,
      "-passout",
      `pass:${PASSWORD}`,
      "-out",
      reference,
    ]);

    // Act
    const info = runTool("openssl", pkcs12(pfx, PASSWORD, "-info", "-legacy", "-noout"));
    const referenceInfo = runTool(
      "openssl",
      pkcs12(reference, PASSWORD, "-info", "-legacy", "-noout"),
    );
    toolOutput("openssl", pkcs12(pfx, PASSWORD, "-legacy", "-nocerts", "-noenc", "-out", key));
    const leafOut = toolOutput("openssl", pkcs12(pfx, PASSWORD, "-legacy", "-clcerts", "-nokeys"));

    // Assess
    expect(info.status, info.stderr).toBe(0);
    const report = info.stdout + info.stderr;
    expect(report).toContain("MAC: sha1, Iteration 2048");
    expect(report).toContain("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048");
    expect(report).toContain(
      "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048",
    );
    expect(structureOf(report)).toEqual(structureOf(referenceInfo.stdout + referenceInfo.stderr));
    expect(toolOutput("openssl", ["pkey", "-in", key, "-pubout"])).toBe(
      toolOutput("openssl", ["x509", "-in", certificate, "-noout", "-pubkey"]),
    );
    expect(leafOut).toContain("friendlyName: shop.example.com");
  });

  it("as legacy .pfx fails in openssl with a wrong password, and lists in keytool with its chain", async () => {
    // Prepare
    const { input } = await issuedInput(keyType);
    const pfx = await legacyPfxFile(`${keyType}-legacy-check.pfx`, input);

    // Act
    const info = runTool("openssl", pkcs12(pfx, PASSWORD, "-info", "-legacy", "-noout"));
    const wrong = runTool("openssl", pkcs12(pfx, "Tomcat-and-IIS-2", "-legacy", "-noout"));
    const listed = toolOutput("keytool", keystoreList(pfx, PASSWORD, "-v"));

    // Assess
    expect(info.stdout + info.stderr).toContain("MAC: sha1");
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/Mac verify error/);
    expect(listed).toContain("Alias name: shop.example.com");
    expect(listed).toContain("Entry type: PrivateKeyEntry");
    expect(listed).toContain("Certificate chain length: 2");
  });

  it("as .pfx fails in openssl with a wrong password", async () => {
    const { input } = await issuedInput(keyType);
    const pfx = await bundleFile(`${keyType}-wrong.pfx`, "iis", input);

    const wrong = runTool("openssl", pkcs12(pfx, "Tomcat-and-IIS-2", "-noout"));

    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/Mac verify error/);
  });

  it('as .p12 lists in keytool as PrivateKeyEntry "tomcat" with its chain', async () => {
    // Prepare
    const { input } = await issuedInput(keyType);
    const p12 = await bundleFile(`${keyType}.p12`, "tomcat", input);
    const withRoot = await bundleFile(`${keyType}-root.p12`, "tomcat", {
      ...input,
      chainPems: [chain.intermediatePem, chain.rootPem],
    });

    // Act
    const listed = toolOutput("keytool", keystoreList(p12, PASSWORD, "-v"));
    const listedWithRoot = toolOutput("keytool", keystoreList(withRoot, PASSWORD, "-v"));

    // Assess
    expect(listed).toContain("Your keystore contains 1 entry");
    expect(listed).toContain("Alias name: tomcat");
    expect(listed).toContain("Entry type: PrivateKeyEntry");
    expect(listed).toContain("Certificate chain length: 2");
    expect(listed).toMatch(/Certificate\[1\]:\nOwner: CN=shop\.example\.com\n/);
    expect(listed).toMatch(/Certificate\[2\]:\nOwner: CN=Delivery Test Issuing CA\n/);
    expect(listedWithRoot).toContain("Certificate chain length: 3");
  });
});

it("keytool refuses the keystore with a wrong password", async () => {
  const { input } = await issuedInput("EC-P256");
  const p12 = await bundleFile("wrong.p12", "tomcat", input);

  const wrong = runTool("keytool", keystoreList(p12, "Tomcat-and-IIS-2"));

  expect(wrong.status).not.toBe(0);
  expect(wrong.stdout + wrong.stderr).toMatch(/password was incorrect/);
});
