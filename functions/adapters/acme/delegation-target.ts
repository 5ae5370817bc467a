import { createHash } from "node:crypto";

/** The name a customer's `_acme-challenge` record is about: the name without "*.". */
export function challengeBaseName(asciiName: string): string {
  return asciiName.toLowerCase().replace(/^\*\./, "").replace(/\.$/, "");
}

/** Where the dns-01 TXT record for a name lives: `_acme-challenge.<name>` (RFC 8555 8.4). */
export function acmeChallengeHost(asciiName: string): string {
  return `_acme-challenge.${challengeBaseName(asciiName)}`;
}

/**
 * The name inside the service's delegation zone that a customer's `_acme-challenge.<name>`
 * CNAME points at. Derived from the tenant and the name, so it is the same for the name and its
 * wildcard and for every renewal (the customer sets the CNAME once), while a CNAME one tenant
 * set up never validates another tenant's order for the same name.
 */
export function delegationTarget(
  asciiName: string,
  delegationZone: string,
  tenantId: string,
): string {
  const label = createHash("sha256")
    .update(`${tenantId}\n${challengeBaseName(asciiName)}`)
    .digest("hex")
    .slice(0, 32);
  return `${label}.${delegationZone.toLowerCase().replace(/\.$/, "")}`;
}
