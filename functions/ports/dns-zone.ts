/**
 * A DNS zone the service itself controls (Route 53 on AWS, pebble-challtestsrv locally): where
 * the dns-cname method's delegated `_acme-challenge` names point, so the service can answer
 * dns-01 challenges for every issuance and renewal without the customer.
 * Names are fully qualified, with or without the trailing dot.
 */
export interface DnsZone {
  /**
   * Adds `values` to the TXT record set at `fqdn`, keeping the values already there: a name and
   * its wildcard share one `_acme-challenge` name, and two orders of one tenant may share a name,
   * so several values can be wanted at once. Adding a value that is there already is no error.
   */
  addTxt(fqdn: string, values: readonly string[]): Promise<DnsChange>;
  /** Whether the zone's authoritative servers answer with the change yet. */
  isLive(change: DnsChange): Promise<boolean>;
  /**
   * Removes `values` from the TXT record set at `fqdn`, leaving other values; the set goes with
   * its last value. Values (or a name) that are not there are no error.
   */
  removeTxt(fqdn: string, values: readonly string[]): Promise<void>;
}

/** A written change, kept between calls (plain data) until the zone reports it live. */
export interface DnsChange {
  readonly id: string;
}
