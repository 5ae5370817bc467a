/**
 * IP address literals, read the way Node's `net.isIP` reads them, without a network module:
 * dotted-quad IPv4 (decimal octets 0–255, no leading zeros) and IPv6 text (RFC 4291 2.2: eight
 * groups of 1–4 hex digits, one `::` for a run of zero groups, an IPv4 tail for the last two, and
 * an optional `%zone`). Brackets and shorthand forms such as "127.1" are not literals here.
 */

const IPV4_OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;
const IPV6_GROUP = /^[0-9a-f]{1,4}$/i;
const ZONE_ID = /^[0-9a-z.:-]+$/i;
const IPV6_GROUPS = 8;

export function isIpv4Literal(text: string): boolean {
  const octets = text.split(".");
  return octets.length === 4 && octets.every((octet) => IPV4_OCTET.test(octet));
}

/** The number of 16-bit groups a run of `:`-separated parts stands for, or undefined if invalid. */
function groupCount(parts: readonly string[], ipv4TailAllowed: boolean): number | undefined {
  let count = 0;
  for (const [index, part] of parts.entries()) {
    if (IPV6_GROUP.test(part)) {
      count += 1;
    } else if (ipv4TailAllowed && index === parts.length - 1 && isIpv4Literal(part)) {
      count += 2;
    } else {
      return undefined;
    }
  }
  return count;
}

export function isIpv6Literal(text: string): boolean {
  const zoneAt = text.indexOf("%");
  if (zoneAt !== -1 && !ZONE_ID.test(text.slice(zoneAt + 1))) return false;
  const address = zoneAt === -1 ? text : text.slice(0, zoneAt);
  const halves = address.split("::");
  if (halves.length > 2) return false;
  const [head = "", tail] = halves;
  if (tail === undefined) return groupCount(head.split(":"), true) === IPV6_GROUPS;
  const before = head === "" ? 0 : groupCount(head.split(":"), false);
  const after = tail === "" ? 0 : groupCount(tail.split(":"), true);
  if (before === undefined || after === undefined) return false;
  // "::" stands for at least one zero group.
  return before + after < IPV6_GROUPS;
}

/** 4 for an IPv4 literal, 6 for an IPv6 literal, 0 for anything else (as `net.isIP` answers). */
export function ipLiteralVersion(text: string): 0 | 4 | 6 {
  if (isIpv4Literal(text)) return 4;
  if (isIpv6Literal(text)) return 6;
  return 0;
}
