import type { DnsChange, DnsZone } from "../../ports/dns-zone.ts";
import { absoluteName, ChalltestsrvManagement } from "./challtestsrv-management.ts";

/**
 * The values written per challtestsrv and name, shared by every zone object of the process:
 * challtestsrv can add a TXT value or clear a name, not remove one value, so removing one means
 * clearing the name and adding back the others. The local host is the one process writing there.
 */
const written = new Map<string, string[]>();

/** The delegation zone served by pebble-challtestsrv: changes answer at once. */
export class ChalltestsrvDnsZone implements DnsZone {
  readonly #baseUrl: string;
  readonly #management: ChalltestsrvManagement;

  constructor(managementUrl: string) {
    this.#baseUrl = managementUrl;
    this.#management = new ChalltestsrvManagement(managementUrl);
  }

  async addTxt(fqdn: string, values: readonly string[]): Promise<DnsChange> {
    const key = this.#key(fqdn);
    const present = written.get(key) ?? [];
    const added = [...new Set(values)].filter((value) => !present.includes(value));
    written.set(key, [...present, ...added]);
    for (const value of added) await this.#management.addTxt(fqdn, value);
    return { id: `challtestsrv:${absoluteName(fqdn)}` };
  }

  async isLive(_change: DnsChange): Promise<boolean> {
    return true;
  }

  async removeTxt(fqdn: string, values: readonly string[]): Promise<void> {
    const key = this.#key(fqdn);
    const remaining = (written.get(key) ?? []).filter((value) => !values.includes(value));
    written.set(key, remaining);
    await this.#management.clearTxt(fqdn);
    for (const value of remaining) await this.#management.addTxt(fqdn, value);
  }

  #key(fqdn: string): string {
    return `${this.#baseUrl} ${absoluteName(fqdn)}`;
  }
}
