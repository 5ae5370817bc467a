import { describe, expect, it } from "vitest";
import { EmbeddedCertificateAuthority } from "../../../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import { compose } from "../../../../functions/composition/composition.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { schedule } from "../../../../functions/schedules/runs/refresh-crl.ts";
import { isScheduledIn } from "../../../../functions/schedules/schedule-declaration.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";

function host() {
  const clock = fixedClock(new Date("2027-01-10T02:00:00Z"));
  const vault = new CertificateVault(
    createMemoryBlobStore(),
    derivedKeyPassphrases(new Uint8Array(32)),
  );
  const composition = compose(
    {
      caKind: "embedded",
      settings: DEFAULT_WORKFLOW_SETTINGS,
      serviceInfo: {},
      logError: () => undefined,
      clock,
    },
    {
      vault: () => vault,
      dcv: () => ({ check: async () => ({ ok: true }) }),
      ca: { embedded: (parts) => new EmbeddedCertificateAuthority(parts) },
    },
  );
  return { run: schedule.bind(composition), vault, clock };
}

const event = (at: string) => ({ source: "RefreshCrl", scheduledTime: at });

describe("the RefreshCrl scheduled run", () => {
  it("runs daily on every deployment of the embedded CA, renewal schedule or not, and never with ACME", () => {
    expect(schedule.needs).toEqual({ ca: true });
    expect(isScheduledIn(schedule, { ca: "embedded", renewalSchedule: false })).toBe(true);
    expect(isScheduledIn(schedule, { ca: "embedded", renewalSchedule: true })).toBe(true);
    expect(isScheduledIn(schedule, { ca: "acme", renewalSchedule: true })).toBe(false);
  });

  it("signs and publishes a new CRL each day, its nextUpdate a week ahead", async () => {
    // Prepare
    const { run, vault, clock } = host();

    // Act
    const first = await run(event("2027-01-10T02:00:00Z"));
    const published = await vault.getPublishedCrl();
    clock.advance(86_400);
    const second = await run(event("2027-01-11T02:00:00Z"));

    // Assess
    expect(first).toEqual({
      ca: "embedded",
      published: true,
      crlNumber: 1,
      nextUpdate: "2027-01-17T01:59:00.000Z",
      nextUpdateInSeconds: 7 * 86_400 - 60,
      revoked: 0,
    });
    expect(second).toMatchObject({
      crlNumber: 2,
      nextUpdate: "2027-01-18T01:59:00.000Z",
      nextUpdateInSeconds: 7 * 86_400 - 60,
    });
    expect(await vault.getPublishedCrl()).not.toEqual(published);
  });
});

describe("which deployments run a scheduled run", () => {
  it("runs one declared without `runs` (the renewal run) only with the renewal schedule switched on", () => {
    const renewal = {};
    expect(isScheduledIn(renewal, { ca: "embedded", renewalSchedule: false })).toBe(false);
    expect(isScheduledIn(renewal, { ca: "acme", renewalSchedule: true })).toBe(true);
  });
});
