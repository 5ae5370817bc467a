import { describe, expect, it } from "vitest";
import { parseResolverAddress } from "../../../../functions/adapters/dcv/resolver-address.ts";

describe("parseResolverAddress", () => {
  it.each([
    ["127.0.0.1:8053", { host: "127.0.0.1", port: 8053, server: "127.0.0.1:8053" }],
    ["[::1]:53", { host: "::1", port: 53, server: "[::1]:53" }],
    ["[::1]", { host: "::1", port: 53, server: "[::1]:53" }],
    ["10.0.0.2", { host: "10.0.0.2", port: 53, server: "10.0.0.2:53" }],
    ["::1", { host: "::1", port: 53, server: "[::1]:53" }],
    [" 127.0.0.1:5353 ", { host: "127.0.0.1", port: 5353, server: "127.0.0.1:5353" }],
  ])("reads %j", (text, expected) => {
    expect(parseResolverAddress(text)).toEqual(expected);
  });

  it.each([
    ["", /not an IP address/],
    ["localhost:53", /not an IP address/],
    ["127.0.0.1:", /not an IP address/],
    ["127.0.0.1:dns", /not an IP address/],
    ["[127.0.0.1]:53", /not an IP address/],
    ["127.0.0.1:53:53", /not an IP address/],
    ["[::1]53", /not an IP address/],
    ["127.0.0.1:0", /invalid port/],
    ["127.0.0.1:65536", /invalid port/],
    ["[::1]:99999", /invalid port/],
  ])("refuses %j", (text, message) => {
    expect(() => parseResolverAddress(text)).toThrow(message);
  });
});
