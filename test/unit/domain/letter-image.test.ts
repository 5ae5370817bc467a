import { describe, expect, it } from "vitest";
import {
  LETTER_MAX_BYTES,
  type LetterImageVerdict,
  readLetterImage,
} from "../../../functions/domain/letter-image.ts";
import {
  ihdrData,
  jpegImage,
  markerOffset,
  PNG_SIGNATURE,
  pngChunk,
  pngImage,
} from "../../support/letter-images.ts";

/** The refusal's code and message (fails the test on an accepted image). */
function refusal(verdict: LetterImageVerdict) {
  if (verdict.ok) throw new Error(`accepted as ${verdict.kind} ${verdict.width}×${verdict.height}`);
  return verdict.problem;
}

/** A copy of the bytes with one byte changed. */
function withByte(bytes: Uint8Array, offset: number, value: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset] = value;
  return copy;
}

const text = (value: string) => Buffer.from(value, "utf8");

describe("readLetterImage: PNG", () => {
  it.each([
    ["greyscale 8-bit", { colourType: 0, bitDepth: 8 }],
    ["greyscale 1-bit", { colourType: 0, bitDepth: 1 }],
    ["RGB 16-bit", { colourType: 2, bitDepth: 16 }],
    ["indexed 4-bit with its palette", { colourType: 3, bitDepth: 4 }],
    ["greyscale with alpha", { colourType: 4, bitDepth: 8 }],
    ["RGBA 8-bit, interlaced", { colourType: 6, bitDepth: 8, interlace: 1 }],
  ])("takes a %s image, with its dimensions", (_label, options) => {
    const verdict = readLetterImage(pngImage({ width: 1240, height: 17, ...options }));

    expect(verdict).toEqual({
      ok: true,
      kind: "png",
      contentType: "image/png",
      width: 1240,
      height: 17,
    });
  });

  it("takes 1×1 and 20000×20000, and bytes after IEND", () => {
    const tiny = readLetterImage(pngImage({ width: 1, height: 1 }));
    const largest = readLetterImage(
      pngImage({ width: 20_000, height: 20_000, idat: Buffer.from([0x78, 0x9c, 0x03, 0x00]) }),
    );
    const trailing = readLetterImage(Buffer.concat([pngImage(), Buffer.from("trailing bytes")]));

    expect(tiny).toMatchObject({ ok: true, width: 1, height: 1 });
    expect(largest).toMatchObject({ ok: true, width: 20_000, height: 20_000 });
    expect(trailing).toMatchObject({ ok: true, kind: "png" });
  });

  it.each([
    ["0", { width: 0, height: 10 }, /0×10 pixels.*1 to 20000/],
    ["20001 wide", { width: 20_001, height: 10 }, /20001×10 pixels/],
    ["20001 high", { width: 10, height: 20_001 }, /10×20001 pixels/],
  ])("refuses dimensions of %s as unreadable, naming them", (_label, dimensions, message) => {
    const problem = refusal(
      readLetterImage(pngImage({ ...dimensions, idat: Buffer.from([0x78, 0x9c, 0x03, 0x00]) })),
    );

    expect(problem.code).toBe("DOCUMENT_UNREADABLE");
    expect(problem.message).toMatch(message);
  });

  it.each([
    ["a colour type PNG does not have", { colourType: 5 }, /colour type 5/],
    ["a bit depth its colour type does not allow", { colourType: 2, bitDepth: 4 }, /bit depth 4/],
    ["an unknown interlace method", { interlace: 2 }, /interlace/],
    ["an indexed image without a palette", { colourType: 3, withoutPalette: true }, /PLTE/],
    ["no image data", { withoutData: true }, /no image data \(IDAT\)/],
  ])("refuses %s as unreadable", (_label, options, message) => {
    const problem = refusal(readLetterImage(pngImage(options)));

    expect(problem.code).toBe("DOCUMENT_UNREADABLE");
    expect(problem.message).toMatch(/^The PNG image cannot be read: /);
    expect(problem.message).toMatch(message);
  });

  it("refuses a header or image data whose CRC does not match", () => {
    const png = pngImage();
    const idatCrc = png.length - 12 - 4 - 1;

    const header = refusal(readLetterImage(withByte(png, 29, png[29] === 0 ? 1 : 0)));
    const data = refusal(readLetterImage(withByte(png, idatCrc, (png[idatCrc] ?? 0) ^ 0xff)));

    expect(header).toMatchObject({ code: "DOCUMENT_UNREADABLE" });
    expect(header.message).toMatch(/checksum \(CRC\) of its header \(IHDR\)/);
    expect(data.message).toMatch(/checksum \(CRC\) of its IDAT chunk/);
  });

  it("refuses a PNG whose first chunk is not IHDR, or whose IHDR is not 13 bytes", () => {
    const textFirst = Buffer.concat([
      PNG_SIGNATURE,
      pngChunk("tEXt", text("Title\u0000Letter")),
      pngChunk("IHDR", ihdrData()),
    ]);
    const longHeader = Buffer.concat([
      PNG_SIGNATURE,
      pngChunk("IHDR", Buffer.concat([ihdrData(), Buffer.from([0])])),
    ]);

    expect(refusal(readLetterImage(textFirst)).message).toMatch(/first chunk is tEXt, not/);
    expect(refusal(readLetterImage(longHeader)).message).toMatch(/14 bytes long, not 13/);
  });

  it.each([
    ["within its signature", 5, /ends after 5 bytes, within its 8-byte signature/],
    ["right after its signature", 8, /ends after 8 bytes, within its header \(IHDR\)/],
    ["mid-IHDR", 20, /ends after 20 bytes, within its header \(IHDR\)/],
    ["right after IHDR", 33, /ends after 33 bytes, before its end chunk \(IEND\)/],
    ["mid-IDAT", 45, /ends after 45 bytes, within its IDAT chunk/],
    ["within IEND", -3, /within its IEND chunk/],
  ])("names a PNG cut %s as cut short", (_label, length, message) => {
    const png = pngImage();

    const problem = refusal(
      readLetterImage(png.subarray(0, length < 0 ? png.length + length : length)),
    );

    expect(problem.code).toBe("DOCUMENT_UNREADABLE");
    expect(problem.message).toMatch(message);
    expect(problem.message).toMatch(/cut short/);
  });

  it("names a signature damaged by a line-ending conversion", () => {
    const png = pngImage();
    const converted = Buffer.concat([png.subarray(0, 4), Buffer.from([0x0a]), png.subarray(6)]);

    const problem = refusal(readLetterImage(converted));

    expect(problem.code).toBe("DOCUMENT_UNREADABLE");
    expect(problem.message).toMatch(/signature is damaged/);
  });
});

describe("readLetterImage: JPEG", () => {
  it.each([
    ["baseline", { sof: 0xc0 }],
    ["extended sequential", { sof: 0xc1 }],
    ["progressive", { sof: 0xc2 }],
    ["colour (3 components)", { components: 3 }],
    ["CMYK (4 components)", { components: 4 }],
    ["with Exif before its frame", { exif: true }],
  ])("takes a %s JPEG, with its dimensions", (_label, options) => {
    const verdict = readLetterImage(jpegImage({ width: 1240, height: 1754, ...options }));

    expect(verdict).toEqual({
      ok: true,
      kind: "jpeg",
      contentType: "image/jpeg",
      width: 1240,
      height: 1754,
    });
  });

  it("takes stuffed bytes and restart markers in the scan, fill bytes and bytes after EOI", () => {
    const jpeg = jpegImage();
    const sos = markerOffset(jpeg, 0xda);
    const scanStart = sos + 2 + ((jpeg[sos + 2] ?? 0) << 8) + (jpeg[sos + 3] ?? 0);
    const scan = Buffer.concat([
      jpeg.subarray(0, scanStart),
      Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56]),
      Buffer.from([0xff, 0xff, 0xd9]),
      Buffer.from("trailing bytes"),
    ]);

    expect(readLetterImage(scan)).toMatchObject({ ok: true, kind: "jpeg", width: 16, height: 8 });
  });

  it.each([
    ["lossless", 0xc3],
    ["hierarchical (differential sequential)", 0xc5],
    ["arithmetic-coded sequential", 0xc9],
    ["arithmetic-coded progressive", 0xca],
  ])("refuses a %s JPEG as a type most viewers cannot show", (process, sof) => {
    const problem = refusal(readLetterImage(jpegImage({ sof })));

    expect(problem.code).toBe("DOCUMENT_TYPE_UNSUPPORTED");
    expect(problem.looksLike).toBe(`a ${process} JPEG`);
    expect(problem.message).toMatch(/baseline and progressive JPEGs are taken/);
  });

  it("refuses a 12-bit JPEG as a type most viewers cannot show", () => {
    const problem = refusal(readLetterImage(jpegImage({ sof: 0xc1, precision: 12 })));

    expect(problem).toMatchObject({
      code: "DOCUMENT_TYPE_UNSUPPORTED",
      looksLike: "a 12-bit JPEG",
    });
  });

  it.each([
    ["no height (given later by DNL)", { height: 0 }, /16×0 pixels/],
    ["20001 pixels wide", { width: 20_001 }, /20001×8 pixels/],
    ["5 components", { components: 5 }, /5 colour components, not 1 to 4/],
  ])("refuses a frame with %s as unreadable", (_label, options, message) => {
    const problem = refusal(readLetterImage(jpegImage(options)));

    expect(problem.code).toBe("DOCUMENT_UNREADABLE");
    expect(problem.message).toMatch(/^The JPEG image cannot be read: /);
    expect(problem.message).toMatch(message);
  });

  it.each([
    ["within its start-of-image marker", () => Buffer.from([0xff]), /within its start-of-image/],
    ["right after SOI", (jpeg: Buffer) => jpeg.subarray(0, 2), /before its frame header \(SOF\)/],
    [
      "after its application and table segments, with no SOF",
      (jpeg: Buffer) => jpeg.subarray(0, markerOffset(jpeg, 0xc0)),
      /before its frame header \(SOF\)/,
    ],
    [
      "mid-SOF",
      (jpeg: Buffer) => jpeg.subarray(0, markerOffset(jpeg, 0xc0) + 6),
      /within its 0xFFC0 segment/,
    ],
    [
      "after its frame, before the scan",
      (jpeg: Buffer) => jpeg.subarray(0, markerOffset(jpeg, 0xda)),
      /before its image data \(SOS\)/,
    ],
    [
      "in its image data",
      (jpeg: Buffer) => jpeg.subarray(0, jpeg.length - 2),
      /before its end-of-image marker \(EOI\)/,
    ],
  ])("names a JPEG cut %s as cut short", (_label, cut, message) => {
    const problem = refusal(readLetterImage(cut(jpegImage())));

    expect(problem.code).toBe("DOCUMENT_UNREADABLE");
    expect(problem.message).toMatch(message);
    expect(problem.message).toMatch(/cut short/);
  });

  it("refuses a JPEG that ends at once, or scans before its frame header", () => {
    const jpeg = jpegImage();
    const sof = markerOffset(jpeg, 0xc0);
    const sofEnd = sof + 2 + ((jpeg[sof + 2] ?? 0) << 8) + (jpeg[sof + 3] ?? 0);
    const withoutFrame = Buffer.concat([jpeg.subarray(0, sof), jpeg.subarray(sofEnd)]);

    expect(refusal(readLetterImage(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).message).toMatch(
      /ends \(EOI\) before any frame header/,
    );
    expect(refusal(readLetterImage(withoutFrame)).message).toMatch(
      /image data \(SOS\) comes before any frame header/,
    );
  });
});

describe("readLetterImage: other files", () => {
  it.each([
    ["a PDF", text("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), "a PDF document"],
    ["text renamed .png", text("Dear operator, here is our letter.\n"), "text"],
    [
      "a GIF",
      Buffer.concat([text("GIF89a"), Buffer.from([1, 0, 1, 0, 0x80, 0, 0])]),
      "a GIF image",
    ],
    ["a WebP", Buffer.concat([text("RIFF"), Buffer.alloc(4), text("WEBPVP8 ")]), "a WebP image"],
    ["a TIFF", Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]), "a TIFF image"],
    [
      "a HEIC photo",
      Buffer.concat([Buffer.from([0, 0, 0, 0x18]), text("ftypheic"), Buffer.alloc(12)]),
      "a HEIC image (as iPhones take photos)",
    ],
    [
      "a Word document",
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(30)]),
      "a ZIP archive (or a Word, Excel or OpenDocument file)",
    ],
    [
      "an SVG",
      text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
      "an SVG image",
    ],
    ["an HTML page", text("<!DOCTYPE html><html></html>"), "an HTML page"],
    ["a JPEG XL", Buffer.from([0xff, 0x0a, 0xfa, 0x7f]), "a JPEG XL image"],
  ])("refuses %s as unsupported, naming what it looks like", (_label, bytes, looksLike) => {
    const problem = refusal(readLetterImage(bytes));

    expect(problem.code).toBe("DOCUMENT_TYPE_UNSUPPORTED");
    expect(problem.looksLike).toBe(looksLike);
    expect(problem.message).toBe(
      `The document looks like ${looksLike}, not a PNG or JPEG image. Send the signed letter as a PNG or JPEG image (image/png or image/jpeg) of at most 500 KB.`,
    );
  });

  it("refuses bytes it cannot name as neither PNG nor JPEG", () => {
    const problem = refusal(readLetterImage(Buffer.from([0x00, 0x01, 0x02, 0xfe, 0x9c, 0x03])));

    expect(problem.code).toBe("DOCUMENT_TYPE_UNSUPPORTED");
    expect(problem.looksLike).toBeUndefined();
    expect(problem.message).toMatch(/^The document is neither a PNG nor a JPEG image/);
  });

  it("refuses an empty document as unreadable", () => {
    expect(refusal(readLetterImage(new Uint8Array(0)))).toEqual({
      code: "DOCUMENT_UNREADABLE",
      message: expect.stringMatching(/^The document is empty \(0 bytes\)\./),
    });
  });

  it("takes a letter of exactly 500 KB and refuses one byte more, naming the limit", () => {
    const png = pngImage();
    const atLimit = Buffer.concat([png, Buffer.alloc(LETTER_MAX_BYTES - png.length)]);
    const overLimit = Buffer.concat([atLimit, Buffer.alloc(1)]);

    expect(readLetterImage(atLimit)).toMatchObject({ ok: true, kind: "png" });
    const problem = refusal(readLetterImage(overLimit));
    expect(problem.code).toBe("DOCUMENT_TOO_LARGE");
    expect(problem.message).toMatch(/512001 bytes, over the limit of 500 KB \(512000 bytes\)/);
  });
});
