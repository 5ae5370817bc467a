import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChalltestsrvManagement } from "../../../../functions/adapters/challtestsrv/challtestsrv-management.ts";
import { CaRejected } from "../../../../functions/ports/certificate-authority.ts";
import {
  csrFor,
  issuedCertificate,
  memoryVault,
  opensslVerify,
  orderNames,
  pebbleAuthority,
  settledValidation,
} from "../../../support/acme-test-kit.ts";
import { PEBBLE_EAB_KEYS, type PebbleHandle, startPebble } from "../../../support/pebble.ts";

let pebble: PebbleHandle;

beforeAll(async () => {
  pebble = await startPebble({ externalAccountBinding: true });
});

afterAll(async () => {
  await pebble?.stop();
});

const decoder = new TextDecoder();

describe("ACME adapter against Pebble: External Account Binding", () => {
  it("registers with the binding from the provider and issues; the HMAC key is stored nowhere", async () => {
    const { vault, blobs } = memoryVault();
    let asked = 0;
    const ca = pebbleAuthority(pebble, vault, {
      externalAccountBinding: async () => {
        asked += 1;
        return { kid: "kid-1", hmacKey: PEBBLE_EAB_KEYS["kid-1"] };
      },
    });
    const names = orderNames("eab.certflow.test");
    const placed = await ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_eab",
      names,
      method: "dns-txt",
    });
    const dns = new ChalltestsrvManagement(pebble.challtestsrvUrl);
    for (const { instructions } of placed.challenges) {
      if (instructions.method !== "dns-txt") throw new Error("expected dns-txt");
      await dns.addTxt(instructions.host, instructions.value);
    }
    await ca.requestValidation(placed.caOrderRef);
    expect(await settledValidation(ca, placed.caOrderRef)).toEqual({ state: "valid" });
    const first = await ca.finalize(placed.caOrderRef, await csrFor(names), 90);
    const issued = await issuedCertificate(ca, placed.caOrderRef, first);
    expect(await opensslVerify(issued, await pebble.issuingRootPem())).toMatch(/: OK$/);
    expect(asked).toBe(1);

    const accountDescriptions = blobs
      .keys()
      .filter((key) => /^ca\/acme\/accounts\/.*\.json$/.test(key));
    expect(accountDescriptions).toHaveLength(1);
    const description = JSON.parse(
      decoder.decode(await blobs.get(accountDescriptions[0] ?? "")),
    ) as Record<string, unknown>;
    expect(description).toMatchObject({ eabKid: "kid-1", directoryUrl: pebble.directoryUrl });
    for (const key of blobs.keys()) {
      expect(decoder.decode(await blobs.get(key))).not.toContain(PEBBLE_EAB_KEYS["kid-1"]);
    }
  });

  it("a wrong HMAC key is refused with a clear message that holds no secret", async () => {
    const { vault } = memoryVault();
    const ca = pebbleAuthority(pebble, vault, {
      externalAccountBinding: async () => ({ kid: "kid-2", hmacKey: PEBBLE_EAB_KEYS["kid-1"] }),
    });
    const error = await ca
      .placeOrder({
        tenantId: "tenant-a",
        orderId: "ord_eab_wrong",
        names: orderNames("eab2.certflow.test"),
        method: "dns-txt",
      })
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
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
    const ca = pebbleAuthority(pebble, memoryVault().vault);
    await expect(
      ca.placeOrder({
        tenantId: "tenant-a",
        orderId: "ord_no_eab",
        names: orderNames("eab3.certflow.test"),
        method: "dns-txt",
      }),
    ).rejects.toThrow(
      /requires an external account binding, and none is configured: urn:ietf:params:acme:error:externalAccountRequired/,
    );
  });
});
