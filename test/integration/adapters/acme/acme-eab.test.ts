import { describe, expect, it } from "vitest";
import { CaRejected } from "../../../../functions/ports/certificate-authority.ts";
import {
  issue,
  memoryVault,
  pebbleForFile,
  placeOrder,
  validatedOrder,
} from "../../../support/acme-test-kit.ts";
import { PEBBLE_EAB_KEYS } from "../../../support/pebble.ts";

const bed = pebbleForFile({ externalAccountBinding: true });
const decoder = new TextDecoder();

describe("ACME adapter against Pebble: External Account Binding", () => {
  it("registers with the binding from the provider and issues; the HMAC key is stored nowhere", async () => {
    // Prepare
    const { vault, blobs } = memoryVault();
    let asked = 0;
    const ca = bed.authority(vault, {
      externalAccountBinding: async () => {
        asked += 1;
        return { kid: "kid-1", hmacKey: PEBBLE_EAB_KEYS["kid-1"] };
      },
    });
    const names = ["eab.certflow.test"];

    // Act
    const order = { orderId: "ord_eab", names, method: "dns-txt" } as const;
    const placed = await validatedOrder(ca, order, bed.publishTxtValues);
    const issued = await issue(ca, placed.caOrderRef, names);

    // Assess
    expect(await bed.opensslVerify(issued)).toMatch(/: OK$/);
    expect(asked).toBe(1);
    const accountDescriptions = blobs
      .keys()
      .filter((key) => /^ca\/acme\/accounts\/.*\.json$/.test(key));
    expect(accountDescriptions).toHaveLength(1);
    const description = JSON.parse(
      decoder.decode(await blobs.get(accountDescriptions[0] ?? "")),
    ) as Record<string, unknown>;
    expect(description).toMatchObject({ eabKid: "kid-1", directoryUrl: bed.pebble.directoryUrl });
    for (const key of blobs.keys()) {
      expect(decoder.decode(await blobs.get(key))).not.toContain(PEBBLE_EAB_KEYS["kid-1"]);
    }
  });

  it("registers each tenant with its own binding when the provider gives one per tenant", async () => {
    // Prepare
    const { vault, blobs } = memoryVault();
    const asked: string[] = [];
    const kidOf = { "tenant-a": "kid-1", "tenant-b": "kid-2" } as const;
    const ca = bed.authority(vault, {
      externalAccountBinding: async (tenantId) => {
        asked.push(tenantId);
        const kid = kidOf[tenantId as keyof typeof kidOf];
        return { kid, hmacKey: PEBBLE_EAB_KEYS[kid] };
      },
    });

    // Act
    for (const tenantId of ["tenant-a", "tenant-b"] as const) {
      const names = [`${tenantId}.eab.certflow.test`];
      const order = {
        orderId: `ord_eab_${tenantId.slice(-1)}`,
        tenantId,
        names,
        method: "dns-txt",
      } as const;
      const placed = await validatedOrder(ca, order, bed.publishTxtValues);
      await issue(ca, placed.caOrderRef, names);
    }

    // Assess
    expect([...new Set(asked)]).toEqual(["tenant-a", "tenant-b"]);
    const descriptions = await Promise.all(
      blobs
        .keys()
        .filter((key) => /^ca\/acme\/accounts\/.*\.json$/.test(key))
        .map(
          async (key) =>
            JSON.parse(decoder.decode(await blobs.get(key))) as Record<string, unknown>,
        ),
    );
    expect(descriptions.map((account) => [account.tenantId, account.eabKid]).sort()).toEqual([
      ["tenant-a", "kid-1"],
      ["tenant-b", "kid-2"],
    ]);
  });

  it("a wrong HMAC key is refused with a clear message that holds no secret", async () => {
    // Prepare
    const ca = bed.authority(memoryVault().vault, {
      externalAccountBinding: async () => ({ kid: "kid-2", hmacKey: PEBBLE_EAB_KEYS["kid-1"] }),
    });
    const names = ["eab2.certflow.test"];

    // Act
    const error = await placeOrder(ca, {
      orderId: "ord_eab_wrong",
      names,
      method: "dns-txt",
    }).catch((failure: unknown) => failure);

    // Assess
    expect(error).toBeInstanceOf(CaRejected);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^The CA refused the external account binding: urn:ietf:params:acme:error:unauthorized: .+ \(key id kid-2\)\.$/,
    );
    expect(message).not.toContain(PEBBLE_EAB_KEYS["kid-1"]);
    expect(message).not.toContain(PEBBLE_EAB_KEYS["kid-2"]);
    expect(message).not.toMatch(/PRIVATE KEY/);
  });

  it("without a binding, the refusal says one is required", async () => {
    // Prepare
    const ca = bed.authority();
    const names = ["eab3.certflow.test"];

    // Act
    const placing = placeOrder(ca, { orderId: "ord_no_eab", names, method: "dns-txt" });

    // Assess
    await expect(placing).rejects.toThrow(
      /requires an external account binding, and none is configured: urn:ietf:params:acme:error:externalAccountRequired/,
    );
  });
});
