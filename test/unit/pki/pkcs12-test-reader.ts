import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

const FRIENDLY_NAME = "1.2.840.113549.1.9.20";
const LOCAL_KEY_ID = "1.2.840.113549.1.9.21";
const KEY_BAG = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG = "1.2.840.113549.1.12.10.1.3";

export const OID = {
  data: "1.2.840.113549.1.7.1",
  encryptedData: "1.2.840.113549.1.7.6",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  hmacWithSha256: "1.2.840.113549.2.9",
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
  sha256: "2.16.840.1.101.3.4.2.1",
} as const;

export interface BagAttributes {
  readonly friendlyName?: string;
  readonly localKeyIdHex?: string;
}

export interface ReadPkcs12 {
  readonly macDigestOid: string;
  readonly macIterations: number | undefined;
  /** contentType of each ContentInfo in the AuthenticatedSafe. */
  readonly safeContentTypes: string[];
  readonly keyBags: { readonly encryptedDer: Uint8Array; readonly attributes: BagAttributes }[];
  readonly certBags: { readonly der: Uint8Array; readonly attributes: BagAttributes }[];
}

const bytes = (buffer: ArrayBuffer | ArrayBufferView) =>
  buffer instanceof ArrayBuffer
    ? new Uint8Array(buffer)
    : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);

function copy(view: Uint8Array): ArrayBuffer {
  const buffer = new ArrayBuffer(view.byteLength);
  new Uint8Array(buffer).set(view);
  return buffer;
}

function attributesOf(bag: pkijs.SafeBag): BagAttributes {
  const result: { friendlyName?: string; localKeyIdHex?: string } = {};
  for (const attribute of bag.bagAttributes ?? []) {
    const [value] = attribute.values as asn1js.BaseBlock[];
    if (attribute.type === FRIENDLY_NAME && value instanceof asn1js.BmpString) {
      result.friendlyName = value.valueBlock.value;
    }
    if (attribute.type === LOCAL_KEY_ID && value instanceof asn1js.OctetString) {
      result.localKeyIdHex = Buffer.from(value.valueBlock.valueHexView).toString("hex");
    }
  }
  return result;
}

/** Parses a PFX the way an importer does; throws when the MAC does not verify. */
export async function readPkcs12(body: Uint8Array, password: string): Promise<ReadPkcs12> {
  const passwordBuffer = copy(new TextEncoder().encode(password));
  const pfx = pkijs.PFX.fromBER(copy(body));
  await pfx.parseInternalValues({ password: passwordBuffer, checkIntegrity: true });
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (safe === undefined || pfx.macData === undefined) throw new Error("No authenticated safe.");
  const safeContentTypes = safe.safeContents.map((content) => content.contentType);
  await safe.parseInternalValues({
    safeContents: safe.safeContents.map((content) =>
      content.contentType === OID.data ? {} : { password: passwordBuffer },
    ),
  });
  const bags: pkijs.SafeBag[] = (
    safe.parsedValue.safeContents as { value: pkijs.SafeContents }[]
  ).flatMap((content) => content.value.safeBags);
  return {
    macDigestOid: pfx.macData.mac.digestAlgorithm.algorithmId,
    macIterations: pfx.macData.iterations,
    safeContentTypes,
    keyBags: bags
      .filter((bag) => bag.bagId === KEY_BAG)
      .map((bag) => ({
        encryptedDer: bytes((bag.bagValue as pkijs.PKCS8ShroudedKeyBag).toSchema().toBER(false)),
        attributes: attributesOf(bag),
      })),
    certBags: bags
      .filter((bag) => bag.bagId === CERT_BAG)
      .map((bag) => {
        const certValue = (bag.bagValue as pkijs.CertBag).certValue as asn1js.OctetString;
        return { der: bytes(certValue.valueBlock.valueHexView), attributes: attributesOf(bag) };
      }),
  };
}

/** The algorithm identifiers of an EncryptedPrivateKeyInfo (PBES2 scheme, KDF, PRF, cipher). */
export function pbes2Algorithms(encryptedPrivateKeyInfo: Uint8Array) {
  const info = pkijs.PKCS8ShroudedKeyBag.fromBER(copy(encryptedPrivateKeyInfo));
  const pbes2 = new pkijs.PBES2Params({ schema: info.encryptionAlgorithm.algorithmParams });
  const pbkdf2 = new pkijs.PBKDF2Params({ schema: pbes2.keyDerivationFunc.algorithmParams });
  return {
    scheme: info.encryptionAlgorithm.algorithmId,
    keyDerivation: pbes2.keyDerivationFunc.algorithmId,
    prf: pbkdf2.prf?.algorithmId,
    iterations: pbkdf2.iterationCount,
    cipher: pbes2.encryptionScheme.algorithmId,
  };
}
