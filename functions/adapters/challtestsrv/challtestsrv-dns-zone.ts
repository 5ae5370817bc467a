import type { DnsChange, DnsZone } from "../../ports/dns-zone.ts";
import { ChalltestsrvManagement } from "./challtestsrv-management.ts";

/** The delegation zone served by pebble-challtestsrv: changes answer at once. */
export class ChalltestsrvDnsZone implements DnsZone {
  readonly #management: ChalltestsrvManagement;

  constructor(managementUrl: string) {
    this.#management = new ChalltestsrvManagement(managementUrl);
  }

  async setTxt(fqdn: string, values: readonly string[]): Promise<DnsChange> {
    await this.#management.clearTxt(fqdn);
    for (const value of values) await this.#management.addTxt(fqdn, value);
    return { id: `challtestsrv:${fqdn}` };
  }

  async isLive(_change: DnsChange): Promise<boolean> {
    return true;
  }

  async clearTxt(fqdn: string): Promise<void> {
    await this.#management.clearTxt(fqdn);
  }
}
