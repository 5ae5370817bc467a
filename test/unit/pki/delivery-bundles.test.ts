import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildDeliveryBundle,
  DELIVERY_FORMATS,
  DeliveryError,
  type DeliveryFormat,
  type DeliveryInput,
  deliveryBaseName,
  isDeliveryFormat,
} from "../../../functions/pki/delivery-bundles.ts";
import { findPemBlock, parsePemBlocks } from "../../../functions/pki/pem.ts";
import { type TestChain, type TestLeaf, testChain } from "./delivery-test-pki.ts";
import { readPkcs12 } from "./pkcs12-test-reader.ts";

const PASSWORD = "Tomcat-and-IIS-1";
const CN = "*.Shop.example.com";
const BASE = "wildcard.shop.example.com";
let chain: TestChain;
let leaf: TestLeaf;
let withKey: DeliveryInput;
let withoutKey: DeliveryInput;

beforeAll(async () => {
  chain = await testChain();
  leaf = await chain.issue("EC-P256", "*.shop.example.com");
  withoutKey = {
    commonName: CN,
    certificatePem: leaf.certificatePem,
    chainPems: [chain.intermediatePem],
  };
  withKey = { ...withoutKey, privateKeyPkcs8: leaf.pkcs8, password: PASSWORD };
});

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const ders = (pem: string) => parsePemBlocks(pem).map((block) => block.der);

/** Unix permission bits of each zip entry, from the central directory's external attributes. */
function zipPermissions(zip: Uint8Array): Record<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const result: Record<string, number> = {};
  for (let offset = 0; offset + 46 <= zip.length; offset++) {
    if (view.getUint32(offset, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(offset + 28, true);
    const name = text(zip.subarray(offset + 46, offset + 46 + nameLength));
    result[name] = (view.getUint32(offset + 38, true) >>> 16) & 0o777;
  }
  return result;
}

describe("delivery bundles", () => {
  it.each<[DeliveryFormat, "key" | "no key", string, string, string[] | undefined]>([
    ["pem", "key", `${BASE}.pem`, "application/x-pem-file", undefined],
    ["pem", "no key", `${BASE}.pem`, "application/x-pem-file", undefined],
    [
      "nginx",
      "key",
      `${BASE}.nginx.zip`,
      "application/zip",
      ["README.txt", `${BASE}.fullchain.pem`, `${BASE}.key`],
    ],
    [
      "nginx",
      "no key",
      `${BASE}.nginx.zip`,
      "application/zip",
      ["README.txt", `${BASE}.fullchain.pem`],
    ],
    [
      "apache",
      "key",
      `${BASE}.apache.zip`,
      "application/zip",
      ["README.txt", `${BASE}.chain.crt`, `${BASE}.crt`, `${BASE}.key`],
    ],
    [
      "apache",
      "no key",
      `${BASE}.apache.zip`,
      "application/zip",
      ["README.txt", `${BASE}.chain.crt`, `${BASE}.crt`],
    ],
    ["iis", "key", `${BASE}.pfx`, "application/x-pkcs12", undefined],
    ["tomcat", "key", `${BASE}.p12`, "application/x-pkcs12", undefined],
  ])("%s (%s) is %s, %s, with files %j", async (format, key, fileName, contentType, files) => {
    const bundle = await buildDeliveryBundle(format, key === "key" ? withKey : withoutKey);
    expect(bundle.fileName).toBe(fileName);
    expect(bundle.contentType).toBe(contentType);
    if (files !== undefined) expect(Object.keys(unzipSync(bundle.body)).sort()).toEqual(files);
    expect(bundle.instructions.length).toBeGreaterThan(40);
  });

  it("pem is the fullchain (leaf, then intermediates) and nothing else", async () => {
    const bundle = await buildDeliveryBundle("pem", withKey);
    const body = text(bundle.body);
    expect(parsePemBlocks(body).map((block) => block.label)).toEqual([
      "CERTIFICATE",
      "CERTIFICATE",
    ]);
    expect(ders(body)).toEqual([...ders(leaf.certificatePem), ...ders(chain.intermediatePem)]);
    expect(body).not.toContain("PRIVATE KEY");
  });

  it("nginx holds fullchain and key under the names its README gives to the directives", async () => {
    const bundle = await buildDeliveryBundle("nginx", withKey);
    const files = unzipSync(bundle.body);
    const readme = text(files["README.txt"]);
    expect(readme).toBe(bundle.instructions);
    expect(readme).toMatch(new RegExp(`ssl_certificate +\\S*/${BASE}\\.fullchain\\.pem;`));
    expect(readme).toMatch(new RegExp(`ssl_certificate_key +\\S*/${BASE}\\.key;`));
    expect(ders(text(files[`${BASE}.fullchain.pem`]))).toEqual([
      ...ders(leaf.certificatePem),
      ...ders(chain.intermediatePem),
    ]);
    const key = text(files[`${BASE}.key`]);
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(findPemBlock(key, "PRIVATE KEY")?.der).toEqual(leaf.pkcs8);
    expect(zipPermissions(bundle.body)).toEqual({
      [`${BASE}.fullchain.pem`]: 0o644,
      [`${BASE}.key`]: 0o600,
      "README.txt": 0o644,
    });
  });

  it("apache splits leaf and chain and names them in its README", async () => {
    const bundle = await buildDeliveryBundle("apache", withKey);
    const files = unzipSync(bundle.body);
    const readme = text(files["README.txt"]);
    expect(readme).toMatch(new RegExp(`SSLCertificateFile +\\S*/${BASE}\\.crt\\n`));
    expect(readme).toMatch(new RegExp(`SSLCertificateChainFile +\\S*/${BASE}\\.chain\\.crt\\n`));
    expect(readme).toMatch(new RegExp(`SSLCertificateKeyFile +\\S*/${BASE}\\.key\\n`));
    expect(ders(text(files[`${BASE}.crt`]))).toEqual(ders(leaf.certificatePem));
    expect(ders(text(files[`${BASE}.chain.crt`]))).toEqual(ders(chain.intermediatePem));
    expect(findPemBlock(text(files[`${BASE}.key`]), "PRIVATE KEY")?.der).toEqual(leaf.pkcs8);
  });

  it("apache without intermediates leaves out the chain file and its directive", async () => {
    const bundle = await buildDeliveryBundle("apache", { ...withKey, chainPems: [] });
    const files = unzipSync(bundle.body);
    expect(Object.keys(files).sort()).toEqual(["README.txt", `${BASE}.crt`, `${BASE}.key`]);
    expect(text(files["README.txt"])).not.toContain("SSLCertificateChainFile");
  });

  it.each(["nginx", "apache"] as const)(
    "%s without the key (own CSR) says so in README.txt instead of failing",
    async (format) => {
      const bundle = await buildDeliveryBundle(format, withoutKey);
      const files = unzipSync(bundle.body);
      expect(Object.keys(files).some((name) => name.endsWith(".key"))).toBe(false);
      expect(text(files["README.txt"])).toContain("your own CSR");
      expect(text(files["README.txt"])).toContain("not held by the service");
    },
  );

  it("iis is a PKCS#12 with key, leaf and chain, named after the common name", async () => {
    const bundle = await buildDeliveryBundle("iis", withKey);
    const read = await readPkcs12(bundle.body, PASSWORD);
    expect(read.keyBags).toHaveLength(1);
    expect(read.certBags.map((bag) => bag.der)).toEqual([
      ...ders(leaf.certificatePem),
      ...ders(chain.intermediatePem),
    ]);
    expect(read.keyBags[0]?.attributes.friendlyName).toBe(CN);
    expect(bundle.instructions).toContain(`${BASE}.pfx`);
  });

  it('tomcat is a PKCS#12 keystore with the alias "tomcat", and says certificateKeystoreType="PKCS12"', async () => {
    const bundle = await buildDeliveryBundle("tomcat", withKey);
    const read = await readPkcs12(bundle.body, PASSWORD);
    expect(read.keyBags[0]?.attributes.friendlyName).toBe("tomcat");
    expect(read.certBags[0]?.attributes.friendlyName).toBe("tomcat");
    expect(read.certBags).toHaveLength(2);
    expect(bundle.instructions).toContain('certificateKeystoreType="PKCS12"');
    expect(bundle.instructions).toContain('certificateKeyAlias="tomcat"');
    expect(bundle.instructions).toContain(`conf/${BASE}.p12`);
    expect(bundle.instructions).not.toContain(PASSWORD);
  });

  it("writes well-formed PEM from input without trailing newlines and chains in one string", async () => {
    const bundle = await buildDeliveryBundle("pem", {
      commonName: CN,
      certificatePem: leaf.certificatePem.trimEnd(),
      chainPems: [`${chain.intermediatePem.trimEnd()}\n${chain.rootPem.trimEnd()}`],
    });
    const body = text(bundle.body);
    expect(body).toMatch(/-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n/);
    expect(body.endsWith("-----END CERTIFICATE-----\n")).toBe(true);
    expect(ders(body)).toEqual([
      ...ders(leaf.certificatePem),
      ...ders(chain.intermediatePem),
      ...ders(chain.rootPem),
    ]);
  });

  it("builds the same zip twice (fixed timestamps)", async () => {
    const first = await buildDeliveryBundle("apache", withKey);
    const second = await buildDeliveryBundle("apache", withKey);
    expect(first.body).toEqual(second.body);
  });

  it("refuses a certificate that is not PEM", async () => {
    await expect(
      buildDeliveryBundle("pem", { ...withKey, certificatePem: "not a certificate" }),
    ).rejects.toThrow(/no PEM CERTIFICATE/);
  });
});

describe("delivery errors", () => {
  async function deliveryError(format: DeliveryFormat, input: DeliveryInput) {
    const error = await buildDeliveryBundle(format, input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeliveryError);
    return error as DeliveryError;
  }

  it.each(["iis", "tomcat"] as const)("%s without the key is KEY_NOT_HELD", async (format) => {
    const error = await deliveryError(format, { ...withoutKey, password: PASSWORD });
    expect(error.code).toBe("KEY_NOT_HELD");
    expect(error.message).toMatch(/own CSR/);
  });

  it.each([
    ["iis", undefined, "PASSWORD_REQUIRED"],
    ["tomcat", "", "PASSWORD_REQUIRED"],
    ["iis", "short", "PASSWORD_INVALID"],
    ["tomcat", "Pässwort-123", "PASSWORD_INVALID"],
    ["tomcat", " padded-password ", "PASSWORD_INVALID"],
  ] as const)("%s with password %j is %s", async (format, password, code) => {
    const error = await deliveryError(format, { ...withKey, password });
    expect(error.code).toBe(code);
    if (password !== undefined && password !== "") expect(error.message).not.toContain(password);
  });

  it.each([
    ["iis", "ancient"],
    ["tomcat", "LEGACY"],
    ["pem", "legacy"],
    ["nginx", "modern"],
  ] as const)("%s with profile %j is PROFILE_UNKNOWN", async (format, profile) => {
    // Act
    const error = await deliveryError(format, { ...withKey, profile });

    // Assess
    expect(error.code).toBe("PROFILE_UNKNOWN");
    expect(error.message).toMatch(/profile/);
  });

  it("an unknown format is FORMAT_UNKNOWN", async () => {
    const error = await deliveryError("jks" as DeliveryFormat, withKey);
    expect(error.code).toBe("FORMAT_UNKNOWN");
    expect(isDeliveryFormat("jks")).toBe(false);
    expect(DELIVERY_FORMATS.every(isDeliveryFormat)).toBe(true);
  });
});

describe("deliveryBaseName", () => {
  it.each([
    ["shop.example.com", "shop.example.com"],
    ["*.Shop.Example.COM", "wildcard.shop.example.com"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["my shop/../etc\\passwd", "my_shop_.._etc_passwd"],
    ["a_b:c", "a_b_c"],
    ["bücher.example", "b_cher.example"],
    ["", "certificate"],
  ])("%j → %j", (commonName, base) => {
    expect(deliveryBaseName(commonName)).toBe(base);
  });
});
