import { AcmeCaDirectory } from "../../functions/adapters/acme/acme-ca-directory.ts";
import { AcmeCertificateAuthority } from "../../functions/adapters/acme/acme-certificate-authority.ts";
import { ChalltestsrvDnsZone } from "../../functions/adapters/challtestsrv/challtestsrv-dns-zone.ts";
import { EmbeddedCertificateAuthority } from "../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { embeddedCaDirectory } from "../../functions/adapters/embedded-ca/embedded-ca-directory.ts";
import type { Providers } from "../../functions/composition/composition.ts";
import { type LocalSettings, SettingsError } from "./local-settings.ts";

/**
 * How the local service builds each CA: the embedded one, or a client of an ACME server.
 * `listeningUrl` answers the URL the service listens at once it does (PORT=0 picks a port):
 * the CRL is served there unless CERTFLOW_CRL_BASE_URL or CERTFLOW_PUBLIC_URL names another.
 */
export function localCertificateAuthorities(
  settings: LocalSettings,
  listeningUrl: () => string = () => settings.publicUrl,
): NonNullable<Providers["ca"]> {
  const crlBaseUrl = settings.crlBaseUrl;
  return {
    embedded: (parts) =>
      new EmbeddedCertificateAuthority({
        ...parts,
        cnameTargetZone: settings.delegationZone,
        caaIdentity: settings.caaIdentity,
        crlBaseUrl: crlBaseUrl ?? listeningUrl,
        crlValiditySeconds: settings.crlValiditySeconds,
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

/**
 * What each CA publishes about itself, read by the local service: the ACME directory's profiles
 * and renewal windows (trusting CERTFLOW_ACME_CA_CERTS as the CA adapter does), and the
 * embedded CA's none.
 */
export function localCaDirectories(settings: LocalSettings): NonNullable<Providers["caDirectory"]> {
  return {
    embedded: () => embeddedCaDirectory,
    acme: () => {
      const acme = settings.acme;
      if (acme === undefined) {
        throw new SettingsError("CERTFLOW_CA=acme needs CERTFLOW_ACME_DIRECTORY_URL.");
      }
      return new AcmeCaDirectory({
        directoryUrl: acme.directoryUrl,
        ...(acme.trustedCaCertsPem !== undefined
          ? { extraTrustedCaPem: acme.trustedCaCertsPem }
          : {}),
      });
    },
  };
}
