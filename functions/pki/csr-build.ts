import type { JsonName } from "@peculiar/x509";
import { signingAlgorithmFor } from "./key-pairs.ts";
import { x509Library } from "./x509-library.ts";

export interface CsrSubject {
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly locality?: string;
  readonly state?: string;
  /** Two-letter ISO 3166 code. */
  readonly country?: string;
}

/** RFC 5280 upper bounds, so a CA does not refuse the request for an over-long attribute. */
const MAX_LENGTHS = { CN: 64, O: 64, OU: 64, L: 128, ST: 128 } as const;

/**
 * The subject as one RDN per attribute, in the conventional order (C, ST, L, O, OU, CN); never a
 * multi-valued RDN. Only attributes that are given (and not empty) appear.
 */
export function subjectRdns(commonName: string | undefined, subject: CsrSubject = {}): JsonName {
  const rdns: JsonName = [];
  const add = (type: keyof typeof MAX_LENGTHS | "C", raw: string | undefined) => {
    const value = raw?.trim();
    if (value === undefined || value === "") return;
    if (type === "C" && !/^[A-Za-z]{2}$/.test(value)) {
      throw new Error(`The country must be a two-letter code such as DE or US, not '${value}'.`);
    }
    if (type !== "C" && value.length > MAX_LENGTHS[type]) {
      throw new Error(`The ${type} attribute is longer than ${MAX_LENGTHS[type]} characters.`);
    }
    rdns.push({ [type]: [type === "C" ? value.toUpperCase() : value] });
  };
  add("C", subject.country);
  add("ST", subject.state);
  add("L", subject.locality);
  add("O", subject.organization);
  add("OU", subject.organizationalUnit);
  add("CN", commonName);
  return rdns;
}

/**
 * A PKCS#10 CSR (PEM "CERTIFICATE REQUEST") for ASCII (punycode) names: every name in
 * subjectAltName, the first one also as CN (left out when longer than the 64 characters a CN
 * may hold), signed with SHA-256 (SHA-384 for P-384 keys).
 */
export async function buildCsr(input: {
  keys: CryptoKeyPair;
  names: readonly string[];
  subject?: CsrSubject;
}): Promise<string> {
  const [firstName] = input.names;
  if (firstName === undefined) throw new Error("A CSR needs at least one name.");
  for (const name of input.names) {
    if (name === "" || !/^[\x21-\x7e]+$/.test(name)) {
      throw new Error(`'${name}' is not an ASCII domain name; convert it to punycode first.`);
    }
  }
  const { Pkcs10CertificateRequestGenerator, SubjectAlternativeNameExtension } =
    await x509Library();
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: subjectRdns(firstName.length <= MAX_LENGTHS.CN ? firstName : undefined, input.subject),
    keys: input.keys,
    signingAlgorithm: signingAlgorithmFor(input.keys.privateKey),
    extensions: [
      new SubjectAlternativeNameExtension(
        input.names.map((name) => ({ type: "dns" as const, value: name })),
      ),
    ],
  });
  return `${csr.toString("pem").trim()}\n`;
}
