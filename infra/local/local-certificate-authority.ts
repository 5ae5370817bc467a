import { AcmeCertificateAuthority } from "../../functions/adapters/acme/acme-certificate-authority.ts";
import { ChalltestsrvDnsZone } from "../../functions/adapters/challtestsrv/challtestsrv-dns-zone.ts";
import { EmbeddedCertificateAuthority } from "../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import type { Providers } from "../../functions/composition/composition.ts";
import { type LocalSettings, SettingsError } from "./local-settings.ts";

/** How the local service builds each CA: the embedded one, or a client of an ACME server. */
export function localCertificateAuthorities(settings: LocalSettings): NonNullable<Providers["ca"]> {
  return {
    embedded: (parts) =>
      new EmbeddedCertificateAuthority({
        ...parts,
        cnameTargetZone: settings.delegationZone,
        caaIdentity: settings.caaIdentity,
      }),
    acme: (parts) => {
      const acme = settings.acme;
      if (acme === undefined) {
        throw new SettingsError("CERTFLOW_CA=acme needs CERTFLOW_ACME_DIRECTORY_URL.");
      }
      const binding = acme.externalAccountBinding;
      const byTenant = acme.externalAccountBindingByTenant;
      return new AcmeCertificateAuthority({
        directoryUrl: acme.directoryUrl,
        contactEmail: acme.contactEmail ?? settings.mailFrom,
        vault: parts.vault,
        now: () => parts.clock.now(),
        ...(binding !== undefined || byTenant !== undefined
          ? {
              externalAccountBinding: async (tenantId: string) =>
                (byTenant !== undefined && Object.hasOwn(byTenant, tenantId)
                  ? byTenant[tenantId]
                  : undefined) ?? binding,
            }
          : {}),
        ...(acme.caaIdentities !== undefined ? { caaIdentities: acme.caaIdentities } : {}),
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
    },
  };
}
