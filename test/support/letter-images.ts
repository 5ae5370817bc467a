// Confirmation-letter images built byte by byte for tests: a PNG with real chunks and CRCs
// (node:zlib's crc32 and deflate, so any viewer decodes it), a JPEG whose segments, Huffman
// tables and entropy-coded data (a flat grey image) follow ITU-T T.81, and their defects.
import { crc32, deflateSync } from "node:zlib";

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data, CRC over type and data. */
export function pngChunk(type: string, data: Uint8Array = new Uint8Array(0)): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

export interface PngOptions {
  readonly width?: number;
  readonly height?: number;
  readonly bitDepth?: number;
  readonly colourType?: number;
  readonly interlace?: number;
  /** The IDAT data as is, instead of the deflated rows (for dimensions too large to fill). */
  readonly idat?: Uint8Array;
  /** Leave out the palette an indexed-colour image needs. */
  readonly withoutPalette?: boolean;
  /** Leave out the IDAT chunk. */
  readonly withoutData?: boolean;
}

const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** The 13 bytes of an IHDR chunk's data. */
export function ihdrData(options: PngOptions = {}): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(options.width ?? 4, 0);
  data.writeUInt32BE(options.height ?? 3, 4);
  data[8] = options.bitDepth ?? 8;
  data[9] = options.colourType ?? 0;
  data[12] = options.interlace ?? 0;
  return data;
}

/** A whole PNG: signature, IHDR, PLTE (indexed colour), IDAT of zero-filtered rows, IEND. */
export function pngImage(options: PngOptions = {}): Buffer {
  const width = options.width ?? 4;
  const height = options.height ?? 3;
  const colourType = options.colourType ?? 0;
  const bitDepth = options.bitDepth ?? 8;
  const rowBytes = Math.ceil((width * (CHANNELS[colourType] ?? 1) * bitDepth) / 8);
  const rows =
    options.idat ??
    deflateSync(
      Buffer.alloc(height * (1 + rowBytes), 0x80).map((byte, index) =>
        index % (1 + rowBytes) === 0 ? 0 : byte,
      ),
    );
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk("IHDR", ihdrData(options)),
    ...(colourType === 3 && options.withoutPalette !== true
      ? [pngChunk("PLTE", Buffer.from([0x80, 0x80, 0x80]))]
      : []),
    ...(options.withoutData === true ? [] : [pngChunk("IDAT", rows)]),
    pngChunk("IEND"),
  ]);
}

export interface JpegOptions {
  readonly width?: number;
  readonly height?: number;
  /** The start-of-frame marker's second byte: 0xC0 baseline, 0xC2 progressive, … */
  readonly sof?: number;
  readonly precision?: number;
  readonly components?: number;
  /** An Exif APP1 segment before the frame, as cameras and phones write. */
  readonly exif?: boolean;
}

const segment = (marker: number, data: Uint8Array) => {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([head, data]);
};

/**
 * A JPEG of a flat grey image: SOI, JFIF APP0 (and Exif APP1), DQT, SOF, one DC and one AC
 * Huffman table of a single one-bit code each, SOS, every 8×8 block coded as "no change, end
 * of block" (two bits), EOI.
 */
export function jpegImage(options: JpegOptions = {}): Buffer {
  const width = options.width ?? 16;
  const height = options.height ?? 8;
  const components = options.components ?? 1;
  const sof = Buffer.alloc(6 + 3 * components);
  sof[0] = options.precision ?? 8;
  sof.writeUInt16BE(height, 1);
  sof.writeUInt16BE(width, 3);
  sof[5] = components;
  for (let index = 0; index < components; index++) {
    sof[6 + 3 * index] = index + 1;
    sof[7 + 3 * index] = 0x11;
    sof[8 + 3 * index] = 0;
  }
  const oneCode = (tableClass: number) =>
    segment(0xc4, Buffer.from([tableClass, 1, ...new Array(15).fill(0), 0x00]));
  const sos = Buffer.alloc(1 + 2 * components + 3);
  sos[0] = components;
  for (let index = 0; index < components; index++) {
    sos[1 + 2 * index] = index + 1;
    sos[2 + 2 * index] = 0x00;
  }
  sos[1 + 2 * components] = 0;
  sos[2 + 2 * components] = 63;
  sos[3 + 2 * components] = 0;
  const blocks = Math.ceil(width / 8) * Math.ceil(Math.max(height, 1) / 8) * components;
  // Two zero bits per block, padded with one bits: never a 0xFF byte to stuff.
  const bits = blocks * 2;
  const entropy = Buffer.alloc(Math.ceil(bits / 8), 0);
  if (bits % 8 !== 0) entropy[entropy.length - 1] = (1 << (8 - (bits % 8))) - 1;
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0])),
    ...(options.exif === true
      ? [
          segment(
            0xe1,
            Buffer.concat([Buffer.from("Exif\u0000\u0000", "latin1"), Buffer.alloc(40)]),
          ),
        ]
      : []),
    segment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)])),
    segment(options.sof ?? 0xc0, sof),
    oneCode(0x00),
    oneCode(0x10),
    segment(0xda, sos),
    entropy,
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** The offset of the first occurrence of a JPEG marker (0xFF then `marker`). */
export function markerOffset(jpeg: Uint8Array, marker: number): number {
  for (let index = 0; index + 1 < jpeg.length; index++) {
    if (jpeg[index] === 0xff && jpeg[index + 1] === marker) return index;
  }
  throw new Error(`no marker 0xFF${marker.toString(16)}`);
}
