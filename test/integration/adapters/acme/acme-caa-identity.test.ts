import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AcmeCertificateAuthority } from "../../../../functions/adapters/acme/acme-certificate-authority.ts";
import { memoryVault, pebbleForFile } from "../../../support/acme-test-kit.ts";
import { STUB_PATHS, startStubAcmeCa } from "../../../support/stub-acme-ca.ts";

let stub: Awaited<ReturnType<typeof startStubAcmeCa>>;

beforeEach(async () => {
  stub = await startStubAcmeCa();
});

afterEach(async () => {
  await stub.close();
});

function stubAuthority(caaIdentities?: readonly string[]) {
  return new AcmeCertificateAuthority({
    directoryUrl: stub.directoryUrl,
    contactEmail: "pki-team@certflow.test",
    vault: memoryVault().vault,
    requestTimeoutMs: 2_000,
    ...(caaIdentities !== undefined ? { caaIdentities } : {}),
  });
}

/** The stub's directory, with `meta` as given. */
function directoryWithMeta(meta: Record<string, unknown>) {
  const base = stub.directoryUrl.slice(0, -STUB_PATHS.directory.length);
  return {
    status: 200,
    body: {
      newNonce: `${base}${STUB_PATHS.newNonce}`,
      newAccount: `${base}${STUB_PATHS.newAccount}`,
      newOrder: `${base}${STUB_PATHS.newOrder}`,
      revokeCert: `${base}/revoke`,
      keyChange: `${base}/key-change`,
      meta,
    },
  };
}

describe("ACME adapter: who the CA is in CAA", () => {
  it("takes the directory's meta.caaIdentities, and the tenant's account URL", async () => {
    stub.answer(
      STUB_PATHS.directory,
      directoryWithMeta({ caaIdentities: ["Stub.CA.example", "stub-ca.example"] }),
    );
    const ca = stubAuthority(["configured.example"]);

    const identity = await ca.caaIdentity("tenant-a");

    expect(identity).toEqual({
      identities: ["stub.ca.example", "stub-ca.example"],
      accountUri: stub.directoryUrl.replace(STUB_PATHS.directory, "/account/1"),
    });
  });

  it("takes the configured identities when the directory lists none", async () => {
    stub.answer(STUB_PATHS.directory, directoryWithMeta({ caaIdentities: [] }));

    expect(
      (await stubAuthority(["configured.example"]).caaIdentity("tenant-a")).identities,
    ).toEqual(["configured.example"]);
    expect((await stubAuthority().caaIdentity("tenant-a")).identities).toEqual([]);
  });
});

describe("ACME adapter against Pebble: CAA identity", () => {
  const bed = pebbleForFile();

  it("uses the configured identities (Pebble lists none) and the account Pebble registered", async () => {
    const ca = bed.authority(undefined, { caaIdentities: ["pebble.letsencrypt.org"] });

    const identity = await ca.caaIdentity("tenant-caa");

    expect(identity.identities).toEqual(["pebble.letsencrypt.org"]);
    expect(new URL(identity.accountUri ?? "").origin).toBe(new URL(bed.pebble.directoryUrl).origin);
    // The same account on a second call.
    expect((await ca.caaIdentity("tenant-caa")).accountUri).toBe(identity.accountUri);
  });
});
