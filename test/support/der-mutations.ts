/** A small deterministic generator, so a failing mutation can be replayed from its index. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 0x1_0000_0000;
  };
}

export type MutationKind = "bit flips" | "truncation" | "inflated length" | "deep nesting";

export const MUTATION_KINDS: readonly MutationKind[] = [
  "bit flips",
  "truncation",
  "inflated length",
  "deep nesting",
];

/**
 * The `index`-th mutation of a DER structure: flipped bits, a cut-off tail, a length field
 * claiming far more than follows, or deeply nested SEQUENCEs of indefinite length.
 */
export function mutateDer(der: Uint8Array, index: number, random: () => number): Uint8Array {
  const kind = MUTATION_KINDS[index % MUTATION_KINDS.length];
  const copy = Uint8Array.from(der);
  const at = () => Math.floor(random() * copy.length);
  switch (kind) {
    case "bit flips": {
      for (let flip = 0; flip <= index % 5; flip++) {
        const position = at();
        copy[position] = (copy[position] ?? 0) ^ (1 << Math.floor(random() * 8));
      }
      return copy;
    }
    case "truncation":
      return copy.slice(0, at());
    case "inflated length": {
      const position = at();
      copy[position] = 0x84;
      if (position + 4 < copy.length) copy.set([0x7f, 0xff, 0xff, 0xff], position + 1);
      return copy;
    }
    default: {
      const depth = 50 + (index % 2_000);
      const nested = new Uint8Array(depth * 2);
      for (let level = 0; level < depth; level++) nested.set([0x30, 0x80], level * 2);
      return nested;
    }
  }
}

/** The same bytes as PEM under `label`, as a customer would paste them. */
export function asPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n");
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}
