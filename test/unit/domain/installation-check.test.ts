import { describe, expect, it } from "vitest";
import {
  type CertificateFacts,
  certificateCovers,
  type InstallationJudgementInput,
  installationHost,
  judgeInstallation,
  servedChainOf,
} from "../../../functions/domain/installation-check.ts";

const NOW = new Date("2027-03-01T12:00:00Z");

const ROOT: CertificateFacts = {
  subject: "CN=certflow Root",
  issuer: "CN=certflow Root",
  serialNumber: "01",
  sha256Fingerprint: "AA:01",
  notBefore: "2026-01-01T00:00:00.000Z",
  notAfter: "2036-01-01T00:00:00.000Z",
  names: [],
};
const INTERMEDIATE: CertificateFacts = {
  subject: "CN=certflow Issuing CA 1",
  issuer: "CN=certflow Root",
  serialNumber: "02",
  sha256Fingerprint: "AA:02",
  notBefore: "2026-01-01T00:00:00.000Z",
  notAfter: "2031-01-01T00:00:00.000Z",
  names: [],
};
const OTHER_INTERMEDIATE: CertificateFacts = {
  ...INTERMEDIATE,
  subject: "CN=Someone Else's CA",
  serialNumber: "99",
  sha256Fingerprint: "BB:99",
};

function leaf(serialNumber: string, overrides: Partial<CertificateFacts> = {}): CertificateFacts {
  return {
    subject: "CN=shop.example.com",
    issuer: INTERMEDIATE.subject,
    serialNumber,
    sha256Fingerprint: `CC:${serialNumber.toUpperCase()}`,
    notBefore: "2027-02-01T00:00:00.000Z",
    notAfter: "2027-08-01T00:00:00.000Z",
    names: ["shop.example.com", "*.shop.example.com"],
    ...overrides,
  };
}

const CURRENT = leaf("0c0ffee1");
const EARLIER = leaf("01d5e41a", {
  notBefore: "2026-08-01T00:00:00.000Z",
  notAfter: "2027-02-15T00:00:00.000Z",
});

const SHOP = { ascii: "shop.example.com", wildcard: false };

function judge(served: CertificateFacts[], overrides: Partial<InstallationJudgementInput> = {}) {
  return judgeInstallation({
    name: SHOP,
    served,
    expected: { certificate: CURRENT, chain: [INTERMEDIATE, ROOT] },
    earlierSerials: [EARLIER.serialNumber],
    now: NOW,
    ...overrides,
  });
}

describe("judgeInstallation", () => {
  it("OK: the current certificate with its intermediate (the root sent too, or not)", () => {
    expect(judge([CURRENT, INTERMEDIATE])).toEqual({
      finding: "OK",
      detail:
        "shop.example.com serves this order's certificate (serial 0c0ffee1) with its full chain.",
    });
    expect(judge([CURRENT, INTERMEDIATE, ROOT]).finding).toBe("OK");
  });

  it("OK: a chain of the root only needs nothing sent after the certificate", () => {
    expect(judge([CURRENT], { expected: { certificate: CURRENT, chain: [ROOT] } }).finding).toBe(
      "OK",
    );
  });

  it("CHAIN_INCOMPLETE: the current certificate alone, naming the missing intermediate", () => {
    const judgement = judge([CURRENT]);
    expect(judgement.finding).toBe("CHAIN_INCOMPLETE");
    expect(judgement.detail).toContain("without its chain");
    expect(judgement.detail).toContain("CN=certflow Issuing CA 1");
  });

  it("CHAIN_INCOMPLETE: the current certificate with another CA's intermediate", () => {
    const judgement = judge([CURRENT, OTHER_INTERMEDIATE]);
    expect(judgement.finding).toBe("CHAIN_INCOMPLETE");
    expect(judgement.detail).toContain("it sends CN=Someone Else's CA instead");
  });

  it("OLD_CERTIFICATE: an earlier certificate of the order, also once it has expired", () => {
    const judgement = judge([EARLIER, INTERMEDIATE], { now: new Date("2027-02-10T00:00:00Z") });
    expect(judgement.finding).toBe("OLD_CERTIFICATE");
    expect(judgement.detail).toBe(
      "shop.example.com still serves an earlier certificate of this order (serial 01d5e41a, valid until 2027-02-15T00:00:00.000Z): install the current one (serial 0c0ffee1) and reload the server.",
    );
    const expired = judge([EARLIER, INTERMEDIATE]);
    expect(expired.finding).toBe("OLD_CERTIFICATE");
    expect(expired.detail).toContain("which expired at 2027-02-15T00:00:00.000Z");
  });

  it("OTHER_CERTIFICATE: a valid certificate for the name that is not the order's", () => {
    const other = leaf("7e57", { issuer: "CN=Other CA" });
    const judgement = judge([other]);
    expect(judgement.finding).toBe("OTHER_CERTIFICATE");
    expect(judgement.detail).toContain("serial 7e57, issued by CN=Other CA");
    // Without the order's earlier serials, an earlier certificate is just another one.
    expect(judge([EARLIER], { earlierSerials: [], now: new Date("2027-02-10T00:00:00Z") })).toEqual(
      expect.objectContaining({ finding: "OTHER_CERTIFICATE" }),
    );
  });

  it("NAME_MISMATCH: a certificate that does not cover the name", () => {
    const other = leaf("5ca1ab1e", { names: ["default.hosting.example"] });
    const judgement = judge([other]);
    expect(judgement.finding).toBe("NAME_MISMATCH");
    expect(judgement.detail).toContain("lists default.hosting.example and does not cover");
  });

  it("NAME_MISMATCH comes before EXPIRED for a certificate that is not the order's", () => {
    const other = leaf("5ca1ab1e", {
      names: ["default.hosting.example"],
      notAfter: "2027-01-01T00:00:00.000Z",
    });
    expect(judge([other]).finding).toBe("NAME_MISMATCH");
  });

  it("EXPIRED: another certificate for the name out of its validity, or the order's own", () => {
    const old = leaf("de4d", { notAfter: "2027-02-28T00:00:00.000Z" });
    expect(judge([old]).finding).toBe("EXPIRED");
    const notYet = leaf("f00d", { notBefore: "2027-04-01T00:00:00.000Z" });
    expect(judge([notYet]).detail).toContain("is not valid before 2027-04-01");
    const own = judge([CURRENT, INTERMEDIATE], { now: new Date("2027-09-01T00:00:00Z") });
    expect(own.finding).toBe("EXPIRED");
    expect(own.detail).toContain("this order's certificate (serial 0c0ffee1)");
  });

  it("TLS_HANDSHAKE_FAILED: nothing sent", () => {
    expect(judge([]).finding).toBe("TLS_HANDSHAKE_FAILED");
  });

  it("judges a wildcard name at its base name, covered only by the wildcard itself", () => {
    const wildcard = { ascii: "*.shop.example.com", wildcard: true };
    expect(installationHost(wildcard)).toBe("shop.example.com");
    const ok = judge([CURRENT, INTERMEDIATE], { name: wildcard });
    expect(ok.finding).toBe("OK");
    expect(ok.detail).toMatch(/^shop\.example\.com \(checked for \*\.shop\.example\.com\)/);
    const baseOnly = leaf("ba5e", { names: ["shop.example.com"] });
    expect(judge([baseOnly], { name: wildcard }).finding).toBe("NAME_MISMATCH");
  });

  it("compares fingerprints whatever their case", () => {
    const lower = { ...CURRENT, sha256Fingerprint: CURRENT.sha256Fingerprint.toLowerCase() };
    expect(judge([lower, INTERMEDIATE]).finding).toBe("OK");
  });
});

describe("certificateCovers", () => {
  it.each([
    [["shop.example.com"], "shop.example.com", false, true],
    [["SHOP.example.com"], "shop.example.com", false, true],
    [["*.example.com"], "shop.example.com", false, true],
    [["*.example.com"], "example.com", false, false],
    [["*.example.com"], "a.shop.example.com", false, false],
    [["*.example.com"], "*.example.com", true, true],
    [["shop.example.com"], "*.shop.example.com", true, false],
    [[], "shop.example.com", false, false],
  ] as const)("%j covers %s (wildcard %s): %s", (names, ascii, wildcard, covers) => {
    expect(certificateCovers(names, { ascii, wildcard })).toBe(covers);
  });
});

describe("servedChainOf", () => {
  it("lists subject and serial of each certificate sent, leaf first, up to a limit", () => {
    expect(servedChainOf([CURRENT, INTERMEDIATE])).toEqual([
      { subject: "CN=shop.example.com", serialNumber: "0c0ffee1" },
      { subject: "CN=certflow Issuing CA 1", serialNumber: "02" },
    ]);
    expect(servedChainOf([CURRENT, INTERMEDIATE, ROOT], 2)).toHaveLength(2);
  });
});
