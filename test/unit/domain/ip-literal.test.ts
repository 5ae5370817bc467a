import { describe, expect, it } from "vitest";
import {
  ipLiteralVersion,
  isIpv4Literal,
  isIpv6Literal,
} from "../../../functions/domain/ip-literal.ts";

const IPV4 = ["0.0.0.0", "192.0.2.1", "255.255.255.255", "10.0.0.9"];

const IPV6 = [
  "::",
  "::1",
  "2001:db8::1",
  "2001:DB8:0:0:8:800:200C:417A",
  "1:2:3:4:5:6:7::",
  "::2:3:4:5:6:7:8",
  "fe80::1%eth0",
];

/** IPv4-mapped (::ffff:0:0/96) and other IPv6 addresses written with an IPv4 tail. */
const IPV4_TAILED_IPV6 = [
  "::ffff:192.0.2.1",
  "::FFFF:192.0.2.1",
  "::192.0.2.1",
  "64:ff9b::192.0.2.1",
  "1:2:3:4:5:6:192.0.2.1",
];

const NOT_IP = [
  "",
  "example.com",
  "*.example.com",
  "1.2.3", // three octets
  "127.1", // shorthand IPv4, which URL parsers accept
  "0x7f.1",
  "256.1.1.1",
  "01.2.3.4", // leading zero
  "192.0.2.1.",
  " 192.0.2.1",
  "[::1]", // brackets belong to URLs, not to the address
  "1::2::3",
  ":::",
  "1:2:3:4:5:6:7:8:9",
  "1:2:3:4:5:6:7", // seven groups and no "::"
  "1:2:3:4:5:6:7::8", // "::" standing for no group
  "12345::1",
  "g::1",
  "1:2:3:4:5:6:7:192.0.2.1", // nine groups with the IPv4 tail
  "192.0.2.1::",
  "::192.0.2.1:1",
  "fe80::1%", // empty zone
  "fe80::1%eth 0",
  "192.0.2.1%eth0", // zones are for IPv6 only
];

describe.each([
  ["IPv4", IPV4, 4],
  ["IPv6", IPV6, 6],
  ["IPv6 with an IPv4 tail", IPV4_TAILED_IPV6, 6],
  ["not an IP literal", NOT_IP, 0],
] as const)("%s", (_group, texts, version) => {
  it.each(texts)(`%j reads as version ${version}`, (text) => {
    expect(ipLiteralVersion(text)).toBe(version);
    expect(isIpv4Literal(text)).toBe(version === 4);
    expect(isIpv6Literal(text)).toBe(version === 6);
  });
});
