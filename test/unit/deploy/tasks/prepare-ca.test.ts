import { describe, expect, it } from "vitest";
import { EmbeddedCertificateAuthority } from "../../../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import { compose } from "../../../../functions/composition/composition.ts";
import { deployTask } from "../../../../functions/deploy/tasks/prepare-ca.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";

function host(caKind: "embedded" | "acme") {
  const vault = new CertificateVault(
    createMemoryBlobStore(),
    derivedKeyPassphrases(new Uint8Array(32)),
  );
  const composition = compose(
    {
      caKind,
      settings: DEFAULT_WORKFLOW_SETTINGS,
      serviceInfo: {},
      logError: () => undefined,
      clock: fixedClock(new Date("2027-01-10T08:00:00Z")),
    },
    {
      vault: () => vault,
      dcv: () => ({ check: async () => ({ ok: true }) }),
      ca: {
        embedded: (parts) => new EmbeddedCertificateAuthority(parts),
        acme: () =>
          ({
            ...new EmbeddedCertificateAuthority({
              vault,
              dcv: { check: async () => ({ ok: true }) },
              clock: fixedClock(new Date()),
            }),
            kind: "acme",
            audience: "public",
            rootCertificatePem: async () => undefined,
          }) as never,
      },
    },
  );
  return { composition, vault };
}

describe("the PrepareCa deploy task", () => {
  it("creates the embedded CA's hierarchy once and publishes its root and a CRL, however often it runs", async () => {
    // Prepare
    const { composition, vault } = host("embedded");
    const run = deployTask.bind(composition);

    // Act
    const first = await run();
    const published = await vault.getPublishedCaRoot();
    const second = await run();

    // Assess
    expect(first).toEqual({ ca: "embedded", rootPublished: true, crlPublished: true });
    expect(second).toEqual(first);
    expect(published).toMatch(/BEGIN CERTIFICATE/);
    expect(await vault.getPublishedCaRoot()).toBe(published);
    // Each run signs a fresh CRL: a service started after days off never serves a lapsed one.
    expect(await vault.getPublishedCrl()).toBeDefined();
  });

  it("has nothing to prepare for an ACME CA", async () => {
    // Prepare
    const { composition, vault } = host("acme");

    // Act
    const result = await deployTask.bind(composition)();

    // Assess
    expect(result).toEqual({ ca: "acme", rootPublished: false, crlPublished: false });
    expect(await vault.getPublishedCaRoot()).toBeUndefined();
    expect(await vault.getPublishedCrl()).toBeUndefined();
  });
});
