import { zipSync } from "fflate";
import { certificateDer } from "./certificate-info.ts";
import { toPem } from "./pem.ts";
import { buildPkcs12, checkPfxPassword } from "./pkcs12.ts";

export const DELIVERY_FORMATS = ["pem", "nginx", "apache", "iis", "tomcat"] as const;

export type DeliveryFormat = (typeof DELIVERY_FORMATS)[number];

export type DeliveryErrorCode =
  | "KEY_NOT_HELD"
  | "PASSWORD_REQUIRED"
  | "PASSWORD_INVALID"
  | "FORMAT_UNKNOWN";

export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  readonly code: DeliveryErrorCode;

  constructor(code: DeliveryErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface DeliveryInput {
  readonly commonName: string;
  readonly certificatePem: string;
  /** Intermediates, the one nearest the leaf first; no root. */
  readonly chainPems: readonly string[];
  /** Absent when the customer kept their own key (uploaded CSR). */
  readonly privateKeyPkcs8?: Uint8Array;
  readonly password?: string;
}

export interface DeliveryBundle {
  readonly fileName: string;
  readonly contentType: string;
  readonly body: Uint8Array;
}

const text = (value: string) => new TextEncoder().encode(value);
const ZIP_DATE = new Date("2026-01-01T00:00:00Z");

export function bundleBaseName(commonName: string): string {
  return commonName
    .toLowerCase()
    .replace(/^\*/, "wildcard")
    .replace(/[^a-z0-9.-]/g, "_");
}

function zip(files: Record<string, string>): Uint8Array {
  return zipSync(
    Object.fromEntries(
      Object.entries(files).map(([name, content]) => [name, [text(content), { mtime: ZIP_DATE }]]),
    ),
  );
}

function keyPem(pkcs8: Uint8Array): string {
  return toPem(pkcs8, "PRIVATE KEY");
}

async function pkcs12For(input: DeliveryInput, friendlyName: string): Promise<Uint8Array> {
  if (input.privateKeyPkcs8 === undefined) {
    throw new DeliveryError(
      "KEY_NOT_HELD",
      "This order used your own CSR, so the private key is yours and not held here; build the .pfx/.p12 where the key is, or download pem, nginx or apache.",
    );
  }
  if (input.password === undefined || input.password === "") {
    throw new DeliveryError(
      "PASSWORD_REQUIRED",
      "Send the password for the file in the X-Pfx-Password header.",
    );
  }
  const problem = checkPfxPassword(input.password);
  if (problem !== undefined) throw new DeliveryError("PASSWORD_INVALID", problem.message);
  return buildPkcs12({
    privateKeyPkcs8: input.privateKeyPkcs8,
    certificates: [input.certificatePem, ...input.chainPems].map((pem) => certificateDer(pem)),
    password: input.password,
    friendlyName,
  });
}

/** The files each web server wants, named after the certificate's common name. */
export async function buildDeliveryBundle(
  format: DeliveryFormat,
  input: DeliveryInput,
): Promise<DeliveryBundle> {
  const base = bundleBaseName(input.commonName);
  const chain = input.chainPems.join("");
  const fullchain = input.certificatePem + chain;
  const noKeyNote =
    "This order used your own CSR: use the private key you generated with it (it is not held by the service).";
  switch (format) {
    case "pem":
      return {
        fileName: `${base}.pem`,
        contentType: "application/x-pem-file",
        body: text(fullchain),
      };
    case "nginx": {
      const files: Record<string, string> = { [`${base}.fullchain.pem`]: fullchain };
      if (input.privateKeyPkcs8 !== undefined) files[`${base}.key`] = keyPem(input.privateKeyPkcs8);
      files["README.txt"] = [
        "nginx: in the server block,",
        `  ssl_certificate     /etc/nginx/ssl/${base}.fullchain.pem;`,
        `  ssl_certificate_key /etc/nginx/ssl/${base}.key;`,
        ...(input.privateKeyPkcs8 === undefined ? ["", noKeyNote] : []),
        "",
      ].join("\n");
      return { fileName: `${base}.nginx.zip`, contentType: "application/zip", body: zip(files) };
    }
    case "apache": {
      const files: Record<string, string> = {
        [`${base}.crt`]: input.certificatePem,
        [`${base}.chain.crt`]: chain,
      };
      if (input.privateKeyPkcs8 !== undefined) files[`${base}.key`] = keyPem(input.privateKeyPkcs8);
      files["README.txt"] = [
        "Apache (mod_ssl): in the VirtualHost,",
        `  SSLCertificateFile      /etc/ssl/certs/${base}.crt`,
        `  SSLCertificateChainFile /etc/ssl/certs/${base}.chain.crt`,
        `  SSLCertificateKeyFile   /etc/ssl/private/${base}.key`,
        "(Apache 2.4.8 and later also take the chain appended to SSLCertificateFile.)",
        ...(input.privateKeyPkcs8 === undefined ? ["", noKeyNote] : []),
        "",
      ].join("\n");
      return { fileName: `${base}.apache.zip`, contentType: "application/zip", body: zip(files) };
    }
    case "iis":
      return {
        fileName: `${base}.pfx`,
        contentType: "application/x-pkcs12",
        body: await pkcs12For(input, input.commonName),
      };
    case "tomcat":
      // Tomcat: <Certificate certificateKeystoreFile="conf/NAME.p12" certificateKeystoreType="PKCS12"
      // certificateKeyAlias="tomcat" certificateKeystorePassword="…"/>
      return {
        fileName: `${base}.p12`,
        contentType: "application/x-pkcs12",
        body: await pkcs12For(input, "tomcat"),
      };
    default: {
      const unknownFormat: never = format;
      throw new DeliveryError("FORMAT_UNKNOWN", `Unknown format ${String(unknownFormat)}.`);
    }
  }
}
