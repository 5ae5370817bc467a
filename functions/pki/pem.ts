export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export function toPem(der: Uint8Array | ArrayBuffer, label: string): string {
  const base64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString(
    "base64",
  );
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Every PEM block in the text, in order; text outside blocks is ignored. */
export function parsePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const [, label = "", body = ""] = match;
    blocks.push({ label, der: new Uint8Array(Buffer.from(body.replace(/\s+/g, ""), "base64")) });
  }
  return blocks;
}

export function isPem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text);
}

/** The first block with the given label (or any of several labels), or undefined. */
export function findPemBlock(text: string, ...labels: string[]): PemBlock | undefined {
  return parsePemBlocks(text).find((block) => labels.includes(block.label));
}

/** Copies into a fresh ArrayBuffer, as WebCrypto and pkijs want. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

/** The text of bytes holding PEM, or undefined when they are binary (DER starts with SEQUENCE). */
export function pemTextOf(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0x30) return undefined;
  const text = Buffer.from(bytes).toString("utf8");
  return isPem(text) ? text : undefined;
}

/** Every CERTIFICATE block of a PEM text, each as its own normalized PEM, in order. */
export function splitPemCertificates(text: string): string[] {
  return parsePemBlocks(text)
    .filter((block) => block.label === "CERTIFICATE")
    .map((block) => toPem(block.der, "CERTIFICATE"));
}
