import { AcmeCertificateAuthority } from "../../functions/adapters/acme/acme-certificate-authority.ts";
import { ChalltestsrvDnsZone } from "../../functions/adapters/challtestsrv/challtestsrv-dns-zone.ts";
import { EmbeddedCertificateAuthority } from "../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import type { Clock } from "../../functions/domain/clock.ts";
import type { CertificateAuthority } from "../../functions/ports/certificate-authority.ts";
import type { DcvChecker } from "../../functions/ports/dcv-checker.ts";
import type { CertificateVault } from "../../functions/vault/certificate-vault.ts";
import { type LocalSettings, SettingsError } from "./local-settings.ts";

/** The CA CERTFLOW_CA chose for the local service: the embedded one, or an ACME server. */
export function localCertificateAuthority(
  settings: LocalSettings,
  parts: { readonly vault: CertificateVault; readonly dcv: DcvChecker; readonly clock: Clock },
): CertificateAuthority {
  switch (settings.ca) {
    case "embedded":
      return new EmbeddedCertificateAuthority({
        ...parts,
        cnameTargetZone: settings.delegationZone,
      });
    case "acme": {
      const acme = settings.acme;
      if (acme === undefined) {
        throw new SettingsError("CERTFLOW_CA=acme needs CERTFLOW_ACME_DIRECTORY_URL.");
      }
      const binding = acme.externalAccountBinding;
      return new AcmeCertificateAuthority({
        directoryUrl: acme.directoryUrl,
        contactEmail: acme.contactEmail ?? settings.mailFrom,
        vault: parts.vault,
        now: () => parts.clock.now(),
        ...(binding !== undefined ? { externalAccountBinding: async () => binding } : {}),
        ...(acme.trustedCaCertsPem !== undefined
          ? { extraTrustedCaPem: acme.trustedCaCertsPem }
          : {}),
        ...(settings.delegationZoneApiUrl !== undefined
          ? {
              delegation: {
                zone: new ChalltestsrvDnsZone(settings.delegationZoneApiUrl),
                zoneName: settings.delegationZone,
              },
            }
          : {}),
      });
    }
    default: {
      const unknownCa: never = settings.ca;
      throw new SettingsError(`Unknown CA ${String(unknownCa)}.`);
    }
  }
}
