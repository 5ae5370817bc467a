/**
 * A DNS zone the service itself controls (Route 53 on AWS, pebble-challtestsrv locally): where
 * the dns-cname method's delegated `_acme-challenge` names point, so the service can answer
 * dns-01 challenges for every issuance and renewal without the customer.
 * Names are fully qualified, with or without the trailing dot.
 */
export interface DnsZone {
  /**
   * Replaces the TXT record set at `fqdn` with exactly `values` (a name and its wildcard share
   * one `_acme-challenge` name, so one order can need two values at once).
   */
  setTxt(fqdn: string, values: readonly string[]): Promise<DnsChange>;
  /** Whether the zone's authoritative servers answer with the change yet. */
  isLive(change: DnsChange): Promise<boolean>;
  /** Removes the TXT record set at `fqdn`; a name without one is not an error. */
  clearTxt(fqdn: string): Promise<void>;
}

/** A written change, kept between calls (plain data) until the zone reports it live. */
export interface DnsChange {
  readonly id: string;
}
