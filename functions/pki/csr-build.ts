import "reflect-metadata";
import {
  type JsonName,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
} from "@peculiar/x509";
import { signingAlgorithmFor } from "./key-pairs.ts";

export interface CsrSubject {
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly locality?: string;
  readonly state?: string;
  readonly country?: string;
}

/** One RDN per attribute, in the conventional order; never a multi-valued RDN. */
export function subjectRdns(commonName: string | undefined, subject: CsrSubject = {}): JsonName {
  const rdns: JsonName = [];
  const add = (type: string, value: string | undefined) => {
    if (value !== undefined && value !== "") rdns.push({ [type]: [value] });
  };
  add("C", subject.country);
  add("ST", subject.state);
  add("L", subject.locality);
  add("O", subject.organization);
  add("OU", subject.organizationalUnit);
  add("CN", commonName);
  return rdns;
}

/** A PKCS#10 CSR (PEM) with every name in subjectAltName and the first one as CN. */
export async function buildCsr(input: {
  keys: CryptoKeyPair;
  names: readonly string[];
  subject?: CsrSubject;
}): Promise<string> {
  const [commonName] = input.names;
  if (commonName === undefined) throw new Error("A CSR needs at least one name.");
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: subjectRdns(commonName.length <= 64 ? commonName : undefined, input.subject),
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
