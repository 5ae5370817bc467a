// The browser's stand-in for the two functions of node:url the domain rules use
// (functions/domain/domain-names.ts, dcv-methods.ts), bundled in place of node:url by
// scripts/build-console.mjs. Both follow Node: the WHATWG URL host parser (UTS #46 mapping, then
// punycode) for domainToASCII, and "" for what is not a valid domain.

/** A host no name typed by a customer is: what the hostname setter leaves for invalid input. */
const SENTINEL = "unset.certflow.invalid";

/**
 * The ASCII (punycode) form of a domain name, as node:url's domainToASCII: the URL host parser
 * applied as Node applies it (as the hostname setter does, so `bü/x` gives the host before the
 * slash), and "" when it refuses the input.
 */
export function domainToASCII(domain: string): string {
  const url = new URL(`http://${SENTINEL}/`);
  url.hostname = domain;
  return url.hostname === SENTINEL && domain.toLowerCase() !== SENTINEL ? "" : url.hostname;
}

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 128;

function adapt(delta: number, points: number, first: boolean): number {
  let scaled = first ? Math.floor(delta / DAMP) : delta >> 1;
  scaled += Math.floor(scaled / points);
  let k = 0;
  while (scaled > ((BASE - T_MIN) * T_MAX) >> 1) {
    scaled = Math.floor(scaled / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - T_MIN + 1) * scaled) / (scaled + SKEW));
}

function digitOf(character: number): number {
  if (character >= 0x30 && character <= 0x39) return character - 22; // 0-9 → 26-35
  if (character >= 0x41 && character <= 0x5a) return character - 0x41; // A-Z
  if (character >= 0x61 && character <= 0x7a) return character - 0x61; // a-z
  return BASE;
}

/** RFC 3492 decoding of one label's punycode (without `xn--`); undefined when malformed. */
export function decodePunycode(input: string): string | undefined {
  const output: number[] = [];
  const delimiter = input.lastIndexOf("-");
  for (let index = 0; index < Math.max(delimiter, 0); index++) {
    const code = input.charCodeAt(index);
    if (code >= 0x80) return undefined;
    output.push(code);
  }
  let n = INITIAL_N;
  let bias = INITIAL_BIAS;
  let i = 0;
  for (let position = delimiter > 0 ? delimiter + 1 : 0; position < input.length; ) {
    const oldI = i;
    let weight = 1;
    for (let k = BASE; ; k += BASE) {
      if (position >= input.length) return undefined;
      const digit = digitOf(input.charCodeAt(position++));
      if (digit >= BASE) return undefined;
      i += digit * weight;
      if (i > 0x7fffffff) return undefined;
      const threshold = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (digit < threshold) break;
      weight *= BASE - threshold;
    }
    bias = adapt(i - oldI, output.length + 1, oldI === 0);
    n += Math.floor(i / (output.length + 1));
    if (n > 0x10ffff) return undefined;
    i %= output.length + 1;
    output.splice(i, 0, n);
    i += 1;
  }
  return String.fromCodePoint(...output);
}

/**
 * The Unicode form of a domain name, as node:url's domainToUnicode: the ASCII form with each
 * `xn--` label decoded (a label that does not decode, or whose Unicode form does not map back to
 * it, stays as it is), and "" when the name is not a valid host.
 */
export function domainToUnicode(domain: string): string {
  const ascii = domainToASCII(domain);
  if (ascii === "") return "";
  return ascii
    .split(".")
    .map((label) => {
      if (!label.startsWith("xn--")) return label;
      const decoded = decodePunycode(label.slice(4));
      return decoded === undefined || decoded === "" || domainToASCII(decoded) !== label
        ? label
        : decoded;
    })
    .join(".");
}
