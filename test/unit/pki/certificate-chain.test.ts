import { describe, expect, it } from "vitest";
import { orderChain, verifyChain } from "../../../functions/pki/certificate-chain.ts";
import { createIntermediateCa } from "../../../functions/pki/certificate-signing.ts";
import { DURING, hierarchy, leafFor, NOT_AFTER, NOT_BEFORE } from "./ca-fixtures.ts";

const { root, intermediate } = await hierarchy();
const { certificatePem: leaf } = await leafFor(intermediate);

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [
      item,
      ...rest,
    ]),
  );
}

describe("orderChain", () => {
  it.each(
    permutations([leaf, intermediate.certificatePem, root.certificatePem]).map((order, index) => [
      index,
      order,
    ]),
  )("orders shuffled input %i leaf → intermediate → root", (_, shuffled) => {
    expect(orderChain(shuffled)).toEqual([leaf, intermediate.certificatePem, root.certificatePem]);
  });

  it("orders a chain without its root, and drops duplicates", () => {
    expect(orderChain([intermediate.certificatePem, leaf, leaf])).toEqual([
      leaf,
      intermediate.certificatePem,
    ]);
    expect(orderChain([leaf])).toEqual([leaf]);
  });

  it("refuses two separate chains, naming their ends", async () => {
    const other = await hierarchy();
    expect(() =>
      orderChain([leaf, intermediate.certificatePem, other.intermediate.certificatePem]),
    ).toThrow(
      /not one chain: 'CN=shop.example.com', 'O=Test, CN=Test Issuing CA' each end a separate chain/,
    );
  });

  it("refuses a certificate that is not on the path, naming it", async () => {
    const other = await hierarchy();
    expect(() =>
      orderChain([
        leaf,
        intermediate.certificatePem,
        root.certificatePem,
        other.root.certificatePem,
      ]),
    ).toThrow("not one chain");
    expect(() => orderChain([])).toThrow("no certificates");
  });

  it("links a certificate only to the CA whose key signed it, when CAs share a name", async () => {
    // A renewed issuing CA: same name, new key. It did not issue `leaf`.
    const renewed = await createIntermediateCa({
      commonName: "Test Issuing CA",
      organization: "Test",
      issuer: root,
      keyType: "EC-P256",
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
    });
    const { certificatePem: renewedLeaf } = await leafFor(renewed);
    expect(orderChain([root.certificatePem, renewed.certificatePem, renewedLeaf])).toEqual([
      renewedLeaf,
      renewed.certificatePem,
      root.certificatePem,
    ]);
    expect(() =>
      orderChain([renewedLeaf, intermediate.certificatePem, root.certificatePem]),
    ).toThrow("each end a separate chain");
    expect(
      verifyChain(renewedLeaf, [intermediate.certificatePem], root.certificatePem, { at: DURING })
        .problems,
    ).toEqual([
      "The signature of 'CN=shop.example.com' does not verify with the key of 'O=Test, CN=Test Issuing CA'.",
    ]);
  });
});

describe("verifyChain", () => {
  it("accepts leaf → intermediate → root while all are valid", () => {
    expect(
      verifyChain(leaf, [intermediate.certificatePem], root.certificatePem, { at: DURING }),
    ).toEqual({
      ok: true,
      problems: [],
    });
  });

  it("reports every certificate outside its validity", () => {
    const result = verifyChain(leaf, [intermediate.certificatePem], root.certificatePem, {
      at: new Date("2030-01-01T00:00:00Z"),
    });
    expect(result.ok).toBe(false);
    expect(result.problems).toHaveLength(3);
    expect(result.problems[0]).toContain(
      "'CN=shop.example.com' is valid from 2026-01-01T00:00:00.000Z",
    );
  });

  it("reports a chain in the wrong order, a foreign root and a leaf used as a CA", async () => {
    const other = await hierarchy();
    expect(verifyChain(leaf, [], root.certificatePem, { at: DURING }).problems).toEqual([
      "'CN=shop.example.com' is issued by 'O=Test, CN=Test Issuing CA', not by 'CN=Test Root'.",
    ]);
    expect(
      verifyChain(leaf, [intermediate.certificatePem], other.root.certificatePem, { at: DURING })
        .problems,
    ).toEqual([
      "The signature of 'O=Test, CN=Test Issuing CA' does not verify with the key of 'CN=Test Root'.",
    ]);
    const { certificatePem: fakeLeaf } = await leafFor(
      { certificatePem: leaf, privateKey: intermediate.privateKey },
      ["evil.example.com"],
    );
    const problems = verifyChain(
      fakeLeaf,
      [leaf, intermediate.certificatePem],
      root.certificatePem,
      { at: DURING },
    ).problems;
    expect(problems).toContain(
      "'CN=shop.example.com' issues certificates but is not marked as a CA.",
    );
  });
});
