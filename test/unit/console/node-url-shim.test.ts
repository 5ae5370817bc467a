import * as node from "node:url";
import { describe, expect, it } from "vitest";
import {
  decodePunycode,
  domainToASCII,
  domainToUnicode,
} from "../../../console/src/shims/node-url.ts";

/** Names the order rules meet: plain, international, mapped, malformed, and URL-breaking. */
const NAMES = [
  "shop.example.com",
  "bücher.example",
  "xn--bcher-kva.example",
  "XN--BCHER-KVA.example",
  "München.DE",
  "straße.de",
  "例え.jp",
  "xn--r8jz45g.jp",
  "аpple.com",
  "☃.com",
  "１２７.０.０.１",
  "xn--a",
  "xn--",
  "xn--a.com",
  "xn--bcher-kva.xn--a",
  "a b.com",
  "bü/x.com",
  "bü?x.com",
  "bü@x.com",
  "bü:80",
  "bü%41.com",
  "[::1]",
  "a_b.com",
  "",
  "unset.certflow.invalid",
];

describe("the browser's node:url stand-in for the domain rules", () => {
  it.each(NAMES)("gives %j the ASCII and Unicode forms node:url gives", (name) => {
    expect(domainToASCII(name)).toBe(node.domainToASCII(name));
    expect(domainToUnicode(name)).toBe(node.domainToUnicode(name));
  });

  it("decodes RFC 3492's sample strings and refuses malformed punycode", () => {
    expect(decodePunycode("bcher-kva")).toBe("bücher");
    expect(decodePunycode("r8jz45g")).toBe("例え");
    expect(decodePunycode("egbpdaj6bu4bxfgehfvwxn")).toBe("ليهمابتكلموشعربي؟");
    expect(decodePunycode("abc-ü")).toBeUndefined();
    expect(decodePunycode("9")).toBeUndefined();
    expect(decodePunycode("zzzzzzzzzzzz")).toBeUndefined();
  });
});
