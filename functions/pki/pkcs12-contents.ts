import type * as asn1js from "asn1js";
import * as pkijs from "pkijs";

const KEY_BAGS = new Set(["1.2.840.113549.1.12.10.1.1", "1.2.840.113549.1.12.10.1.2"]);
const CERT_BAG = "1.2.840.113549.1.12.10.1.3";
const DATA = "1.2.840.113549.1.7.1";

/** What a PKCS#12 file (.pfx, .p12) holds, as far as may be shown: never the key itself. */
export interface Pkcs12Contents {
  /** DER of every certificate, in the file's order. */
  readonly certificates: readonly Uint8Array[];
  /** How many private keys the file holds. */
  readonly privateKeys: number;
}

export type Pkcs12Problem = "NOT_PKCS12" | "WRONG_PASSWORD" | "UNREADABLE";

export class Pkcs12Unreadable extends Error {
  override readonly name = "Pkcs12Unreadable";
  readonly problem: Pkcs12Problem;

  constructor(problem: Pkcs12Problem, message: string) {
    super(message);
    this.problem = problem;
  }
}

function copy(view: Uint8Array): ArrayBuffer {
  const buffer = new ArrayBuffer(view.byteLength);
  new Uint8Array(buffer).set(view);
  return buffer;
}

/** Whether bytes are shaped like a PKCS#12 PFX (version 3, an authenticated safe). */
export function looksLikePkcs12(der: Uint8Array): boolean {
  try {
    const pfx = pkijs.PFX.fromBER(copy(der));
    return pfx.version === 3 && pfx.authSafe.contentType !== "";
  } catch {
    return false;
  }
}

/**
 * Opens a PKCS#12 file with its password as an importer does: the MAC must verify, then every
 * certificate is read and keys are only counted.
 */
export async function readPkcs12Contents(
  der: Uint8Array,
  password: string,
): Promise<Pkcs12Contents> {
  let pfx: pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(copy(der));
  } catch {
    throw new Pkcs12Unreadable("NOT_PKCS12", "it is not a PKCS#12 (pfx/p12) file.");
  }
  const passwordBuffer = copy(new TextEncoder().encode(password));
  try {
    await pfx.parseInternalValues({ password: passwordBuffer, checkIntegrity: true });
  } catch {
    throw new Pkcs12Unreadable(
      "WRONG_PASSWORD",
      "the password does not open it (its integrity check failed).",
    );
  }
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (safe === undefined) throw new Pkcs12Unreadable("UNREADABLE", "it holds no contents.");
  try {
    await safe.parseInternalValues({
      safeContents: safe.safeContents.map((content) =>
        content.contentType === DATA ? {} : { password: passwordBuffer },
      ),
    });
  } catch (error) {
    throw new Pkcs12Unreadable(
      "UNREADABLE",
      `its contents cannot be decrypted here (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  const bags = (safe.parsedValue.safeContents as { value: pkijs.SafeContents }[]).flatMap(
    (content) => content.value.safeBags,
  );
  const certificates = bags
    .filter((bag) => bag.bagId === CERT_BAG)
    .map((bag) => {
      const value = (bag.bagValue as pkijs.CertBag).certValue as asn1js.OctetString;
      return new Uint8Array(value.valueBlock.valueHexView);
    });
  return { certificates, privateKeys: bags.filter((bag) => KEY_BAGS.has(bag.bagId)).length };
}
