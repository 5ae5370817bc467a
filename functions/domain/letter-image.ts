/**
 * The signed confirmation letter of an OV/EV order, as the customer uploads it: a PNG or JPEG
 * image, recognised by its content (never by a file name or a declared type), with a header a
 * viewer can decode and dimensions an operator can look at. Pure: bytes in, a verdict out.
 */

export const LETTER_MAX_BYTES = 500 * 1024;
export const LETTER_MAX_BYTES_TEXT = "500 KB";
/** The largest width and height taken, in pixels. */
export const LETTER_MAX_DIMENSION = 20_000;

export const LETTER_CONTENT_TYPES = ["image/png", "image/jpeg"] as const;
export type LetterContentType = (typeof LETTER_CONTENT_TYPES)[number];

export type LetterImageKind = "png" | "jpeg";

export type LetterImageProblemCode =
  | "DOCUMENT_TOO_LARGE"
  | "DOCUMENT_TYPE_UNSUPPORTED"
  | "DOCUMENT_UNREADABLE";

export interface LetterImageProblem {
  readonly code: LetterImageProblemCode;
  /** One or two sentences for the customer: what is wrong and what is taken. */
  readonly message: string;
  /** What the bytes look like, when they are something else we can name ("a PDF document"). */
  readonly looksLike?: string;
}

export type LetterImageVerdict =
  | {
      readonly ok: true;
      readonly kind: LetterImageKind;
      readonly contentType: LetterContentType;
      readonly width: number;
      readonly height: number;
    }
  | { readonly ok: false; readonly problem: LetterImageProblem };

const ACCEPTED = `Send the signed letter as a PNG or JPEG image (image/png or image/jpeg) of at most ${LETTER_MAX_BYTES_TEXT}.`;

/** Whether the bytes are a PNG or JPEG letter an operator can view, and its kind and size. */
export function readLetterImage(bytes: Uint8Array): LetterImageVerdict {
  if (bytes.length > LETTER_MAX_BYTES) {
    return refused(
      "DOCUMENT_TOO_LARGE",
      `The document is ${bytes.length} bytes, over the limit of ${LETTER_MAX_BYTES_TEXT} (${LETTER_MAX_BYTES} bytes): scan or photograph the letter at a lower resolution or with more compression.`,
    );
  }
  if (bytes.length === 0) {
    return refused("DOCUMENT_UNREADABLE", `The document is empty (0 bytes). ${ACCEPTED}`);
  }
  if (startsWith(bytes, PNG_SIGNATURE) || isPrefixOf(bytes, PNG_SIGNATURE)) return readPng(bytes);
  if (bytes[0] === 0xff && (bytes.length === 1 || bytes[1] === 0xd8)) return readJpeg(bytes);
  if (bytes.length >= 4 && ascii(bytes, 1, 3) === "PNG") {
    return unreadable(
      "png",
      "its 8-byte signature is damaged (as when a file is sent as text and its line endings are changed)",
    );
  }
  const looksLike = lookalike(bytes);
  return {
    ok: false,
    problem: {
      code: "DOCUMENT_TYPE_UNSUPPORTED",
      message:
        looksLike === undefined
          ? `The document is neither a PNG nor a JPEG image (its first bytes are those of neither). ${ACCEPTED}`
          : `The document looks like ${looksLike}, not a PNG or JPEG image. ${ACCEPTED}`,
      ...(looksLike === undefined ? {} : { looksLike }),
    },
  };
}

function refused(code: LetterImageProblemCode, message: string): LetterImageVerdict {
  return { ok: false, problem: { code, message } };
}

function unreadable(kind: LetterImageKind, cause: string): LetterImageVerdict {
  const name = kind === "png" ? "PNG" : "JPEG";
  return refused("DOCUMENT_UNREADABLE", `The ${name} image cannot be read: ${cause}.`);
}

function unsupported(looksLike: string, why: string): LetterImageVerdict {
  return {
    ok: false,
    problem: {
      code: "DOCUMENT_TYPE_UNSUPPORTED",
      message: `The document is ${looksLike}, ${why}. ${ACCEPTED}`,
      looksLike,
    },
  };
}

function dimensionsProblem(
  kind: LetterImageKind,
  width: number,
  height: number,
): LetterImageVerdict | undefined {
  const fits = (value: number) => value >= 1 && value <= LETTER_MAX_DIMENSION;
  if (fits(width) && fits(height)) return undefined;
  return unreadable(
    kind,
    `its header gives ${width}×${height} pixels, and a width and height of 1 to ${LETTER_MAX_DIMENSION} pixels are taken`,
  );
}

// ---------------------------------------------------------------------------------------------
// PNG (ISO/IEC 15948, the W3C PNG specification)

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Signature, then the IHDR chunk: length, type, 13 bytes of data, CRC. */
const PNG_HEADER_END = 8 + 4 + 4 + 13 + 4;

/** The bit depths each colour type allows. */
const PNG_BIT_DEPTHS: Readonly<Record<number, readonly number[]>> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function readPng(bytes: Uint8Array): LetterImageVerdict {
  const cut = (where: string) =>
    unreadable("png", `it ends after ${bytes.length} bytes, ${where}, so the upload was cut short`);
  if (bytes.length < PNG_SIGNATURE.length) return cut("within its 8-byte signature");
  if (bytes.length < 16) return cut("within its header (IHDR)");
  const firstType = chunkType(bytes, 12);
  if (firstType !== "IHDR") {
    return unreadable("png", `its first chunk is ${printable(firstType)}, not the header (IHDR)`);
  }
  if (u32(bytes, 8) !== 13) {
    return unreadable("png", `its header (IHDR) is ${u32(bytes, 8)} bytes long, not 13`);
  }
  if (bytes.length < PNG_HEADER_END) return cut("within its header (IHDR)");
  if (crc32(bytes, 12, 29) !== u32(bytes, 29)) {
    return unreadable(
      "png",
      "the checksum (CRC) of its header (IHDR) does not match, so the file is damaged",
    );
  }
  const width = u32(bytes, 16);
  const height = u32(bytes, 20);
  const bitDepth = bytes[24] ?? 0;
  const colourType = bytes[25] ?? 0;
  const dimensions = dimensionsProblem("png", width, height);
  if (dimensions !== undefined) return dimensions;
  const depths = PNG_BIT_DEPTHS[colourType];
  if (depths === undefined) {
    return unreadable("png", `its header gives colour type ${colourType}, which PNG does not have`);
  }
  if (!depths.includes(bitDepth)) {
    return unreadable(
      "png",
      `its header gives bit depth ${bitDepth} for colour type ${colourType}, which allows ${depths.join(", ")}`,
    );
  }
  if (bytes[26] !== 0 || bytes[27] !== 0 || (bytes[28] !== 0 && bytes[28] !== 1)) {
    return unreadable(
      "png",
      "its header names a compression, filter or interlace method PNG does not have",
    );
  }
  const body = readPngChunks(bytes, colourType === 3, cut);
  return body ?? { ok: true, kind: "png", contentType: "image/png", width, height };
}

/**
 * Walks the chunks after the header up to IEND: every chunk whole, the critical ones with a
 * matching CRC, image data present (with a palette first for an indexed-colour image). Bytes
 * after IEND are ignored, as decoders ignore them.
 */
function readPngChunks(
  bytes: Uint8Array,
  needsPalette: boolean,
  cut: (where: string) => LetterImageVerdict,
): LetterImageVerdict | undefined {
  let offset = PNG_HEADER_END;
  let sawPalette = false;
  let sawData = false;
  for (;;) {
    if (offset === bytes.length) return cut("before its end chunk (IEND)");
    if (offset + 8 > bytes.length) return cut("within a chunk's length and type");
    const length = u32(bytes, offset);
    const type = chunkType(bytes, offset + 4);
    if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) {
      return unreadable("png", `the chunk at byte ${offset} is not a PNG chunk`);
    }
    const end = offset + 12 + length;
    if (end > bytes.length) return cut(`within its ${type} chunk`);
    const critical = type.charCodeAt(0) < 0x61;
    if (critical && crc32(bytes, offset + 4, end - 4) !== u32(bytes, end - 4)) {
      return unreadable(
        "png",
        `the checksum (CRC) of its ${type} chunk does not match, so the file is damaged`,
      );
    }
    if (type === "PLTE") sawPalette = true;
    if (type === "IDAT") {
      if (needsPalette && !sawPalette) {
        return unreadable("png", "it is an indexed-colour image without a palette (PLTE)");
      }
      sawData = true;
    }
    if (type === "IEND") {
      return sawData ? undefined : unreadable("png", "it holds no image data (IDAT)");
    }
    offset = end;
  }
}

function chunkType(bytes: Uint8Array, offset: number): string {
  return ascii(bytes, offset, 4);
}

// ---------------------------------------------------------------------------------------------
// JPEG (ITU-T T.81, with the JFIF and Exif application segments)

/** Start-of-frame markers, and what the frame's coding process is. */
const JPEG_FRAMES: Readonly<Record<number, { readonly process: string; readonly shown: boolean }>> =
  {
    192: { process: "baseline", shown: true },
    193: { process: "extended sequential", shown: true },
    194: { process: "progressive", shown: true },
    195: { process: "lossless", shown: false },
    197: { process: "hierarchical (differential sequential)", shown: false },
    198: { process: "hierarchical (differential progressive)", shown: false },
    199: { process: "hierarchical (differential lossless)", shown: false },
    201: { process: "arithmetic-coded sequential", shown: false },
    202: { process: "arithmetic-coded progressive", shown: false },
    203: { process: "arithmetic-coded lossless", shown: false },
    205: { process: "arithmetic-coded hierarchical (differential sequential)", shown: false },
    206: { process: "arithmetic-coded hierarchical (differential progressive)", shown: false },
    207: { process: "arithmetic-coded hierarchical (differential lossless)", shown: false },
  };

const SOS = 0xda;
const EOI = 0xd9;

/** Markers that stand alone, without a length: TEM and the restart markers. */
const isStandalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);

/**
 * Walks the segments from SOI: the frame header (SOF) must come before the first scan (SOS)
 * and give the dimensions; scans are skipped through their entropy-coded data; the image ends
 * with EOI. Bytes after EOI are ignored, as decoders ignore them.
 */
function readJpeg(bytes: Uint8Array): LetterImageVerdict {
  const cut = (where: string) =>
    unreadable(
      "jpeg",
      `it ends after ${bytes.length} bytes, ${where}, so the upload was cut short`,
    );
  if (bytes.length < 2) return cut("within its start-of-image marker");
  let frame: { width: number; height: number } | undefined;
  let sawScan = false;
  let offset = 2;
  const before = () =>
    frame === undefined
      ? "before its frame header (SOF)"
      : sawScan
        ? "before its end-of-image marker (EOI)"
        : "before its image data (SOS)";
  for (;;) {
    // Stray bytes before a marker are skipped, as decoders skip them (with a warning).
    while (offset < bytes.length && bytes[offset] !== 0xff) offset++;
    while (bytes[offset] === 0xff) offset++;
    if (offset >= bytes.length) return cut(before());
    const marker = bytes[offset] ?? 0;
    offset++;
    if (marker === EOI) {
      if (frame === undefined) {
        return unreadable("jpeg", "it ends (EOI) before any frame header (SOF)");
      }
      if (!sawScan) return unreadable("jpeg", "it ends (EOI) without image data (SOS)");
      return { ok: true, kind: "jpeg", contentType: "image/jpeg", ...frame };
    }
    if (isStandalone(marker)) continue;
    if (marker === 0x00 || marker === 0xd8) {
      return unreadable(
        "jpeg",
        `it has a misplaced marker (0xFF${hex(marker)}) at byte ${offset - 2}`,
      );
    }
    if (offset + 2 > bytes.length)
      return cut(`within the length of its 0xFF${hex(marker)} segment`);
    const length = u16(bytes, offset);
    if (length < 2) {
      return unreadable(
        "jpeg",
        `its 0xFF${hex(marker)} segment at byte ${offset - 2} has no length`,
      );
    }
    const end = offset + length;
    if (end > bytes.length) return cut(`within its 0xFF${hex(marker)} segment`);
    const frameKind = JPEG_FRAMES[marker];
    if (frameKind !== undefined && frame === undefined) {
      const read = readJpegFrame(bytes, offset + 2, length - 2, frameKind);
      if (!read.ok) return read;
      frame = { width: read.width, height: read.height };
    }
    offset = end;
    if (marker === SOS) {
      if (frame === undefined) {
        return unreadable("jpeg", "its image data (SOS) comes before any frame header (SOF)");
      }
      sawScan = true;
      offset = skipEntropyCodedData(bytes, offset);
    }
  }
}

function readJpegFrame(
  bytes: Uint8Array,
  offset: number,
  length: number,
  frameKind: { readonly process: string; readonly shown: boolean },
): LetterImageVerdict {
  if (length < 6) return unreadable("jpeg", "its frame header (SOF) is too short");
  const precision = bytes[offset] ?? 0;
  const height = u16(bytes, offset + 1);
  const width = u16(bytes, offset + 3);
  const components = bytes[offset + 5] ?? 0;
  if (!frameKind.shown) {
    return unsupported(
      `a ${frameKind.process} JPEG`,
      "which most viewers cannot show (baseline and progressive JPEGs are taken)",
    );
  }
  if (precision !== 8) {
    return unsupported(
      `a ${precision}-bit JPEG`,
      "which most viewers cannot show (8-bit JPEGs are taken)",
    );
  }
  if (components < 1 || components > 4) {
    return unreadable("jpeg", `its frame header gives ${components} colour components, not 1 to 4`);
  }
  if (length < 6 + 3 * components) {
    return unreadable("jpeg", "its frame header (SOF) is shorter than its components need");
  }
  const dimensions = dimensionsProblem("jpeg", width, height);
  if (dimensions !== undefined) return dimensions;
  return { ok: true, kind: "jpeg", contentType: "image/jpeg", width, height };
}

/**
 * The offset of the marker that ends a scan's entropy-coded data (or the end of the bytes):
 * inside the data a 0xFF is followed by 0x00 (a stuffed byte) or a restart marker.
 */
function skipEntropyCodedData(bytes: Uint8Array, from: number): number {
  let offset = from;
  while (offset < bytes.length) {
    if (bytes[offset] !== 0xff) {
      offset++;
      continue;
    }
    const next = bytes[offset + 1];
    if (next === undefined) return bytes.length;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
      offset += 2;
      continue;
    }
    return offset;
  }
  return offset;
}

// ---------------------------------------------------------------------------------------------
// What other files look like, to say so when one is sent instead of a letter image

function lookalike(bytes: Uint8Array): string | undefined {
  const head = ascii(bytes, 0, Math.min(bytes.length, 64));
  if (head.startsWith("%PDF-")) return "a PDF document";
  if (head.startsWith("GIF87a") || head.startsWith("GIF89a")) return "a GIF image";
  if (head.startsWith("RIFF") && head.slice(8, 12) === "WEBP") return "a WebP image";
  if (head.startsWith("II*\u0000") || head.startsWith("MM\u0000*")) return "a TIFF image";
  if (head.startsWith("BM") && bytes.length >= 26) return "a BMP image";
  if (head.slice(4, 8) === "ftyp") {
    const brand = head.slice(8, 12);
    if (brand === "avif" || brand === "avis") return "an AVIF image";
    if (["heic", "heix", "hevc", "hevx", "mif1", "msf1"].includes(brand)) {
      return "a HEIC image (as iPhones take photos)";
    }
    return "a video or other ISO media file";
  }
  if (
    startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) ||
    startsWith(bytes, [0xff, 0x4f, 0xff, 0x51])
  ) {
    return "a JPEG 2000 image";
  }
  if (
    startsWith(bytes, [0xff, 0x0a]) ||
    startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])
  ) {
    return "a JPEG XL image";
  }
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    return "a ZIP archive (or a Word, Excel or OpenDocument file)";
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) return "an older Word or Excel document";
  if (head.startsWith("{\\rtf")) return "an RTF document";
  const text = textOf(bytes);
  if (text !== undefined) {
    const start = text.trimStart().slice(0, 200).toLowerCase();
    if (start.startsWith("<svg") || (start.startsWith("<?xml") && start.includes("<svg"))) {
      return "an SVG image";
    }
    if (start.startsWith("<!doctype html") || start.startsWith("<html")) return "an HTML page";
    if (start.startsWith("<?xml")) return "an XML document";
    if (start.startsWith("-----begin ")) return "a PEM file (a key, CSR or certificate)";
    return "text";
  }
  return undefined;
}

/** The bytes as text when they are UTF-8 without control characters other than whitespace. */
function textOf(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, 4096));
  } catch {
    // A multi-byte character cut at the 4096th byte is still text.
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, 4093));
    } catch {
      return undefined;
    }
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for.
  return /[\u0000-\u0008\u000e-\u001f\u007f]/.test(text) ? undefined : text;
}

// ---------------------------------------------------------------------------------------------
// Bytes

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
}

function isPrefixOf(bytes: Uint8Array, whole: readonly number[]): boolean {
  return bytes.length < whole.length && bytes.every((byte, index) => whole[index] === byte);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let text = "";
  for (let index = offset; index < offset + length && index < bytes.length; index++) {
    text += String.fromCharCode(bytes[index] ?? 0);
  }
  return text;
}

/** A chunk type as it may be shown: letters as they are, other bytes in hex. */
function printable(text: string): string {
  return /^[A-Za-z]{4}$/.test(text)
    ? text
    : `0x${[...text].map((character) => hex(character.charCodeAt(0))).join("")}`;
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, "0");
}

function u16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

function u32(bytes: Uint8Array, offset: number): number {
  return (
    (((bytes[offset] ?? 0) << 24) |
      ((bytes[offset + 1] ?? 0) << 16) |
      ((bytes[offset + 2] ?? 0) << 8) |
      (bytes[offset + 3] ?? 0)) >>>
    0
  );
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, as PNG uses it) of bytes[from, to). */
function crc32(bytes: Uint8Array, from: number, to: number): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let index = from; index < to; index++) {
    crc = (crcTable[(crc ^ (bytes[index] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
