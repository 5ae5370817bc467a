/**
 * Where an IP address leads, read from its text alone (no network module): whether a check may
 * connect there on behalf of a customer. Only "public" addresses are on the public internet;
 * every other scope reaches the service's own machine, its network or its cloud's internals.
 */
import { isIpv4Literal, isIpv6Literal } from "./ip-literal.ts";

export const ADDRESS_SCOPES = [
  "public",
  "loopback",
  "private",
  "link-local",
  "shared",
  "unique-local",
  "multicast",
  "metadata",
  "unspecified",
  "reserved",
] as const;

export type AddressScope = (typeof ADDRESS_SCOPES)[number];

/** In a sentence: "… resolves to {description} address". */
export const ADDRESS_SCOPE_DESCRIPTIONS: Readonly<Record<AddressScope, string>> = {
  public: "a public",
  loopback: "a loopback",
  private: "a private-network",
  "link-local": "a link-local",
  shared: "a carrier-grade NAT (100.64.0.0/10)",
  "unique-local": "a unique-local IPv6",
  multicast: "a multicast or broadcast",
  metadata: "a cloud metadata service",
  unspecified: "an unspecified (all-zero)",
  reserved: "a reserved or special-purpose",
};

type Ipv4Bytes = readonly [number, number, number, number];

/** IPv4 ranges that are not public (RFC 6890 and the IANA special-purpose registry). */
const IPV4_RANGES: readonly (readonly [Ipv4Bytes, number, AddressScope])[] = [
  [[169, 254, 169, 254], 32, "metadata"],
  [[169, 254, 170, 2], 32, "metadata"],
  [[0, 0, 0, 0], 32, "unspecified"],
  [[0, 0, 0, 0], 8, "reserved"],
  [[10, 0, 0, 0], 8, "private"],
  [[100, 64, 0, 0], 10, "shared"],
  [[127, 0, 0, 0], 8, "loopback"],
  [[169, 254, 0, 0], 16, "link-local"],
  [[172, 16, 0, 0], 12, "private"],
  [[192, 0, 0, 0], 24, "reserved"],
  [[192, 0, 2, 0], 24, "reserved"],
  [[192, 88, 99, 0], 24, "reserved"],
  [[192, 168, 0, 0], 16, "private"],
  [[198, 18, 0, 0], 15, "reserved"],
  [[198, 51, 100, 0], 24, "reserved"],
  [[203, 0, 113, 0], 24, "reserved"],
  [[224, 0, 0, 0], 4, "multicast"],
  [[255, 255, 255, 255], 32, "multicast"],
  [[240, 0, 0, 0], 4, "reserved"],
];

function inPrefix(bytes: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit += 8) {
    const width = Math.min(8, bits - bit);
    const mask = (0xff << (8 - width)) & 0xff;
    const index = bit / 8;
    if (((bytes[index] ?? 0) & mask) !== ((prefix[index] ?? 0) & mask)) return false;
  }
  return true;
}

function ipv4Scope(bytes: Ipv4Bytes): AddressScope {
  for (const [prefix, bits, scope] of IPV4_RANGES) {
    if (inPrefix(bytes, prefix, bits)) return scope;
  }
  return "public";
}

function ipv4Bytes(text: string): Ipv4Bytes {
  const [a = 0, b = 0, c = 0, d = 0] = text.split(".").map(Number);
  return [a, b, c, d];
}

/** The 16 bytes of an IPv6 literal (zone dropped); the caller checked it is one. */
function ipv6Bytes(text: string): number[] {
  const address = text.split("%")[0] ?? "";
  const groupsOf = (part: string): number[] => {
    if (part === "") return [];
    const groups: number[] = [];
    for (const piece of part.split(":")) {
      if (piece.includes(".")) {
        const [a, b, c, d] = ipv4Bytes(piece);
        groups.push((a << 8) | b, (c << 8) | d);
      } else {
        groups.push(Number.parseInt(piece, 16));
      }
    }
    return groups;
  };
  const [head = "", tail] = address.split("::");
  const before = groupsOf(head);
  const after = tail === undefined ? [] : groupsOf(tail);
  const zeros = new Array<number>(8 - before.length - after.length).fill(0);
  return [...before, ...zeros, ...after].flatMap((group) => [group >> 8, group & 0xff]);
}

const tail4 = (bytes: readonly number[], from: number): Ipv4Bytes => [
  bytes[from] ?? 0,
  bytes[from + 1] ?? 0,
  bytes[from + 2] ?? 0,
  bytes[from + 3] ?? 0,
];

const METADATA_V6 = ipv6Bytes("fd00:ec2::254");

function ipv6Scope(bytes: readonly number[]): AddressScope {
  const zeroUpTo = (end: number) => bytes.slice(0, end).every((byte) => byte === 0);
  if (bytes.every((byte, index) => byte === METADATA_V6[index])) return "metadata";
  if (zeroUpTo(16)) return "unspecified";
  if (zeroUpTo(15) && bytes[15] === 1) return "loopback";
  // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), translated (::ffff:0:a.b.c.d), compatible
  // (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:ab:cd::) lead where the IPv4 address does.
  if (zeroUpTo(10) && bytes[10] === 0xff && bytes[11] === 0xff) return ipv4Scope(tail4(bytes, 12));
  if (zeroUpTo(8) && bytes[8] === 0xff && bytes[9] === 0xff && bytes[10] === 0 && bytes[11] === 0) {
    return ipv4Scope(tail4(bytes, 12));
  }
  if (zeroUpTo(12)) return ipv4Scope(tail4(bytes, 12));
  if (inPrefix(bytes, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)) {
    return ipv4Scope(tail4(bytes, 12));
  }
  if (inPrefix(bytes, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48)) return "reserved";
  if (inPrefix(bytes, [0x20, 0x02], 16)) return ipv4Scope(tail4(bytes, 2));
  if (inPrefix(bytes, [0xfc], 7)) return "unique-local";
  if (inPrefix(bytes, [0xfe, 0x80], 10)) return "link-local";
  if (inPrefix(bytes, [0xfe, 0xc0], 10)) return "private";
  if (inPrefix(bytes, [0xff], 8)) return "multicast";
  // Teredo, benchmarking, ORCHID, documentation, discard-only and the unassigned space outside
  // 2000::/3 (global unicast).
  if (inPrefix(bytes, [0x20, 0x01, 0x00, 0x00], 32)) return "reserved";
  if (inPrefix(bytes, [0x20, 0x01, 0x00, 0x02, 0x00, 0x00], 48)) return "reserved";
  if (inPrefix(bytes, [0x20, 0x01, 0x00, 0x10], 28)) return "reserved";
  if (inPrefix(bytes, [0x20, 0x01, 0x00, 0x20], 28)) return "reserved";
  if (inPrefix(bytes, [0x20, 0x01, 0x0d, 0xb8], 32)) return "reserved";
  if (inPrefix(bytes, [0x3f, 0xff], 20)) return "reserved";
  if (inPrefix(bytes, [0x01, 0x00, 0, 0, 0, 0, 0, 0], 64)) return "reserved";
  if (!inPrefix(bytes, [0x20], 3)) return "reserved";
  return "public";
}

/**
 * The scope of an IP address literal (as `net.isIP` reads them), or undefined for text that is
 * not one. An IPv6 address carrying an IPv4 address (mapped, translated, NAT64, 6to4) has the
 * scope of the IPv4 address it leads to.
 */
export function addressScope(address: string): AddressScope | undefined {
  if (isIpv4Literal(address)) return ipv4Scope(ipv4Bytes(address));
  if (isIpv6Literal(address)) return ipv6Scope(ipv6Bytes(address.toLowerCase()));
  return undefined;
}

/**
 * Whether a check may connect to `address` for a customer: public addresses only, and loopback
 * where the host allows it (a developer's machine, where the demo and tests publish on
 * 127.0.0.1). Anything that is not an IP literal is refused.
 */
export function mayConnectTo(
  address: string,
  options: { readonly allowLoopback: boolean },
): boolean {
  const scope = addressScope(address);
  return scope === "public" || (scope === "loopback" && options.allowLoopback);
}
