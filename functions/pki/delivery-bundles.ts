import type { ZipAttributes } from "fflate";
import { CodedError } from "./coded-error.ts";
import { deliveryBaseName } from "./delivery-file-names.ts";
import {
  apacheInstructions,
  iisInstructions,
  nginxInstructions,
  tomcatInstructions,
} from "./delivery-instructions.ts";
import { parsePemBlocks, toPem } from "./pem.ts";
import { checkPfxPassword, PKCS12_PROFILES, type Pkcs12Profile } from "./pkcs12-profiles.ts";

export { deliveryBaseName } from "./delivery-file-names.ts";

export const DELIVERY_FORMATS = ["pem", "nginx", "apache", "iis", "tomcat"] as const;

export type DeliveryFormat = (typeof DELIVERY_FORMATS)[number];

export function isDeliveryFormat(value: string): value is DeliveryFormat {
  return (DELIVERY_FORMATS as readonly string[]).includes(value);
}

/** The key alias Tomcat's documentation and defaults use. */
export const TOMCAT_KEY_ALIAS = "tomcat";

export type DeliveryErrorCode =
  | "KEY_NOT_HELD"
  | "PASSWORD_REQUIRED"
  | "PASSWORD_INVALID"
  | "FORMAT_UNKNOWN"
  | "PROFILE_UNKNOWN";

export class DeliveryError extends CodedError<DeliveryErrorCode> {
  override readonly name = "DeliveryError";
}

export interface DeliveryInput {
  readonly commonName: string;
  readonly certificatePem: string;
  /** Intermediates, the one nearest the leaf first; the root only if the caller adds it. */
  readonly chainPems: readonly string[];
  /** Unencrypted PKCS#8 DER; absent when the customer kept their own key (uploaded CSR). */
  readonly privateKeyPkcs8?: Uint8Array;
  /** For iis and tomcat: the password of the .pfx/.p12. */
  readonly password?: string;
  /**
   * For iis and tomcat, as the caller asked for it (checked here): modern (the default) or legacy
   * (3DES and a SHA-1 MAC, for Windows Server 2016 and older).
   */
  readonly profile?: string;
}

const PKCS12_FORMATS: ReadonlySet<DeliveryFormat> = new Set(["iis", "tomcat"]);

function pkcs12ProfileOf(format: DeliveryFormat, profile: string | undefined): Pkcs12Profile {
  if (profile === undefined) return "modern";
  if (!PKCS12_FORMATS.has(format)) {
    throw new DeliveryError(
      "PROFILE_UNKNOWN",
      `profile applies to the iis and tomcat downloads only, not to ${format}.`,
    );
  }
  if (!(PKCS12_PROFILES as readonly string[]).includes(profile)) {
    throw new DeliveryError(
      "PROFILE_UNKNOWN",
      `profile must be one of ${PKCS12_PROFILES.join(", ")} (legacy for Windows Server 2016 and older).`,
    );
  }
  return profile as Pkcs12Profile;
}

export interface DeliveryBundle {
  readonly fileName: string;
  readonly contentType: string;
  readonly body: Uint8Array;
  /** How to install it; the same text as README.txt in the zip formats. */
  readonly instructions: string;
}

const ZIP_DATE = new Date("2026-01-01T00:00:00Z");
// Unix regular file with the given permissions, in the zip entry's external attributes.
const unixFile = (mode: number): ZipAttributes => ({
  os: 3,
  attrs: (0o100000 | mode) * 0x10000,
  mtime: ZIP_DATE,
});
const encode = (text: string) => new TextEncoder().encode(text);

interface ZipEntry {
  readonly content: string;
  readonly secret?: boolean;
}

// The zip and PKCS#12 builders are loaded with the first bundle of their kind, not when the
// download function starts: most downloads are PEM.
async function zip(entries: Record<string, ZipEntry>): Promise<Uint8Array> {
  const { zipSync } = await import("fflate");
  return zipSync(
    Object.fromEntries(
      Object.entries(entries).map(([name, entry]) => [
        name,
        [encode(entry.content), unixFile(entry.secret === true ? 0o600 : 0o644)],
      ]),
    ),
  );
}

/** Every CERTIFICATE block re-encoded, so that concatenations are well-formed PEM. */
function certificateDers(pem: string, what: string): Uint8Array[] {
  const ders = parsePemBlocks(pem)
    .filter((block) => block.label === "CERTIFICATE")
    .map((block) => block.der);
  if (ders.length === 0) throw new TypeError(`The ${what} holds no PEM CERTIFICATE.`);
  return ders;
}

function certificates(input: DeliveryInput) {
  const [leaf] = certificateDers(input.certificatePem, "certificate");
  if (leaf === undefined) throw new TypeError("The certificate holds no PEM CERTIFICATE.");
  const chain = input.chainPems.flatMap((pem) => certificateDers(pem, "chain"));
  const pem = (ders: readonly Uint8Array[]) =>
    ders.map((der) => toPem(der, "CERTIFICATE")).join("");
  return {
    leaf,
    chain,
    leafPem: pem([leaf]),
    chainPem: chain.length === 0 ? undefined : pem(chain),
    fullchainPem: pem([leaf, ...chain]),
  };
}

function requirePkcs12Inputs(input: DeliveryInput, format: string) {
  if (input.privateKeyPkcs8 === undefined) {
    throw new DeliveryError(
      "KEY_NOT_HELD",
      `This order was placed with your own CSR, so its private key is not held by the service and ${format} (which must contain the key) cannot be built here. Download pem, nginx or apache, or build the file where your key is.`,
    );
  }
  if (input.password === undefined || input.password === "") {
    throw new DeliveryError(
      "PASSWORD_REQUIRED",
      `A password is required for ${format}: send it in the X-Pfx-Password header.`,
    );
  }
  const problem = checkPfxPassword(input.password);
  if (problem !== undefined) throw new DeliveryError("PASSWORD_INVALID", problem.message);
  return { privateKeyPkcs8: input.privateKeyPkcs8, password: input.password };
}

async function pkcs12Bundle(
  input: DeliveryInput,
  format: "iis" | "tomcat",
  fileName: string,
  friendlyName: string,
  instructions: string,
  profile: Pkcs12Profile,
): Promise<DeliveryBundle> {
  const { privateKeyPkcs8, password } = requirePkcs12Inputs(input, format);
  const { leaf, chain } = certificates(input);
  const { buildPkcs12 } = await import("./pkcs12.ts");
  const body = await buildPkcs12({
    privateKeyPkcs8,
    certificates: [leaf, ...chain],
    password,
    friendlyName,
    profile,
  });
  return { fileName, contentType: "application/x-pkcs12", body, instructions };
}

/** The files a web server wants, named after the certificate's common name. */
export async function buildDeliveryBundle(
  format: DeliveryFormat,
  input: DeliveryInput,
): Promise<DeliveryBundle> {
  const profile = pkcs12ProfileOf(format, input.profile);
  const base = deliveryBaseName(input.commonName);
  const key = input.privateKeyPkcs8;
  const keyEntry = key === undefined ? {} : { [`${base}.key`]: keyFile(key) };
  switch (format) {
    case "pem": {
      const fileName = `${base}.pem`;
      return {
        fileName,
        contentType: "application/x-pem-file",
        body: encode(certificates(input).fullchainPem),
        instructions: `${fileName} holds the certificate followed by the intermediate certificates (no private key).\n`,
      };
    }
    case "nginx": {
      const files = { fullchain: `${base}.fullchain.pem`, key: `${base}.key`, keyHeld: !!key };
      const instructions = nginxInstructions(files);
      const body = await zip({
        [files.fullchain]: { content: certificates(input).fullchainPem },
        ...keyEntry,
        "README.txt": { content: instructions },
      });
      return { fileName: `${base}.nginx.zip`, contentType: "application/zip", body, instructions };
    }
    case "apache": {
      const { leafPem, chainPem } = certificates(input);
      const chainName = `${base}.chain.crt`;
      const files = {
        certificate: `${base}.crt`,
        chain: chainPem === undefined ? undefined : chainName,
        key: `${base}.key`,
        keyHeld: !!key,
      };
      const instructions = apacheInstructions(files);
      const body = await zip({
        [files.certificate]: { content: leafPem },
        ...(chainPem === undefined ? {} : { [chainName]: { content: chainPem } }),
        ...keyEntry,
        "README.txt": { content: instructions },
      });
      return { fileName: `${base}.apache.zip`, contentType: "application/zip", body, instructions };
    }
    case "iis": {
      const fileName = `${base}.pfx`;
      const instructions = iisInstructions(fileName);
      return pkcs12Bundle(input, format, fileName, input.commonName, instructions, profile);
    }
    case "tomcat": {
      const fileName = `${base}.p12`;
      const instructions = tomcatInstructions(fileName, TOMCAT_KEY_ALIAS);
      return pkcs12Bundle(input, format, fileName, TOMCAT_KEY_ALIAS, instructions, profile);
    }
    default: {
      const unknown: never = format;
      throw new DeliveryError(
        "FORMAT_UNKNOWN",
        `Unknown format ${String(unknown)}; one of ${DELIVERY_FORMATS.join(", ")}.`,
      );
    }
  }
}

function keyFile(pkcs8: Uint8Array): ZipEntry {
  return { content: toPem(pkcs8, "PRIVATE KEY"), secret: true };
}
