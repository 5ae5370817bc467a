// CSRs with chosen flaws, made with WebCrypto and @peculiar/x509 (no external tools).
import "reflect-metadata";
import {
  type JsonGeneralName,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
} from "@peculiar/x509";
import * as asn1js from "asn1js";
import { parsePemBlocks, toPem } from "../../../functions/pki/pem.ts";

export async function rsaKeys(bits: number, hash: "SHA-1" | "SHA-256" = "SHA-256") {
  return (await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: bits,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash,
    },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
}

export async function ecKeys(namedCurve: "P-256" | "P-384" | "P-521") {
  return (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
}

export async function ed25519Keys() {
  return (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
}

export async function craftCsr(input: {
  keys: CryptoKeyPair;
  commonName?: string;
  dnsNames?: readonly string[];
  otherNames?: readonly JsonGeneralName[];
  /** Defaults to what the key signs with by default (SHA-256 for ECDSA). */
  signingAlgorithm?: Algorithm | EcdsaParams;
}): Promise<string> {
  const keyAlgorithm = input.keys.privateKey.algorithm.name;
  const signingAlgorithm =
    input.signingAlgorithm ??
    (keyAlgorithm === "ECDSA"
      ? ({ name: "ECDSA", hash: "SHA-256" } as EcdsaParams)
      : { name: keyAlgorithm });
  const names: JsonGeneralName[] = [
    ...(input.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(input.otherNames ?? []),
  ];
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: input.commonName === undefined ? [] : [{ CN: [input.commonName] }],
    keys: input.keys,
    signingAlgorithm,
    extensions: names.length === 0 ? [] : [new SubjectAlternativeNameExtension(names)],
  });
  return csr.toString("pem");
}

export function derOf(pem: string): Uint8Array {
  const [block] = parsePemBlocks(pem);
  if (block === undefined) throw new Error("no PEM block");
  return block.der;
}

/** The CSR with one bit of its signature flipped. */
export function withFlippedSignatureBit(pem: string): string {
  const der = new Uint8Array(derOf(pem));
  const last = der.length - 1;
  der[last] = (der[last] ?? 0) ^ 0x01;
  return toPem(der, "CERTIFICATE REQUEST");
}

/** The CSR with the first occurrence of `from` in its signed part replaced by `to` (same length). */
export function withAlteredText(pem: string, from: string, to: string): string {
  if (from.length !== to.length) throw new Error("same length only");
  const der = Buffer.from(derOf(pem));
  const at = der.indexOf(from, 0, "latin1");
  if (at < 0) throw new Error(`'${from}' not found`);
  der.write(to, at, "latin1");
  return toPem(new Uint8Array(der), "CERTIFICATE REQUEST");
}

/** The CSR with its outer signature algorithm replaced by another OID (signature unchanged). */
export function withSignatureAlgorithm(pem: string, oid: string): string {
  const outer = asn1js.fromBER(derOf(pem)).result as asn1js.Sequence;
  const [tbs, , signature] = outer.valueBlock.value;
  if (tbs === undefined || signature === undefined) throw new Error("not a CSR");
  const rebuilt = new asn1js.Sequence({
    value: [
      tbs,
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid })] }),
      signature,
    ],
  });
  return toPem(new Uint8Array(rebuilt.toBER()), "CERTIFICATE REQUEST");
}

/** The number of RDNs (SETs) in the subject of a DER CSR, read independently of certflow. */
export function subjectRdnCount(pem: string): { rdns: number; attributes: number } {
  const outer = asn1js.fromBER(derOf(pem)).result as asn1js.Sequence;
  const info = outer.valueBlock.value[0] as asn1js.Sequence;
  const subject = info.valueBlock.value[1] as asn1js.Sequence;
  const sets = subject.valueBlock.value as asn1js.Set[];
  return {
    rdns: sets.length,
    attributes: sets.reduce((sum, set) => sum + set.valueBlock.value.length, 0),
  };
}
