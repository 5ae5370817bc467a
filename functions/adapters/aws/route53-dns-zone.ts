import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import type { DnsChange, DnsZone } from "../../ports/dns-zone.ts";

export interface Route53DnsZoneOptions {
  readonly client: Route53Client;
  /** The hosted zone of the delegation zone, e.g. "Z0123456789ABCDEFGHIJ". */
  readonly hostedZoneId: string;
  /** Short, so a renewal's new value is not hidden behind a cached old one. Default 60. */
  readonly ttlSeconds?: number;
}

const absolute = (name: string) => (name.endsWith(".") ? name : `${name}.`).toLowerCase();

/** A TXT value in Route 53's zone-file syntax: quoted, escaped, split into 255-character strings. */
export function route53TxtValue(value: string): string {
  const strings: string[] = [];
  for (let start = 0; start === 0 || start < value.length; start += 255) {
    strings.push(value.slice(start, start + 255));
  }
  return strings.map((part) => `"${part.replace(/["\\]/g, (char) => `\\${char}`)}"`).join(" ");
}

/** No change was needed; nothing to wait for. */
const NOTHING_TO_WAIT_FOR: DnsChange = { id: "" };

/** The delegation zone as a Route 53 hosted zone. */
export class Route53DnsZone implements DnsZone {
  readonly #options: Route53DnsZoneOptions;

  constructor(options: Route53DnsZoneOptions) {
    this.#options = options;
  }

  async setTxt(fqdn: string, values: readonly string[]): Promise<DnsChange> {
    if (values.length === 0) {
      await this.clearTxt(fqdn);
      return NOTHING_TO_WAIT_FOR;
    }
    const output = await this.#options.client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: this.#options.hostedZoneId,
        ChangeBatch: {
          Comment: "ACME dns-01 answer for a delegated _acme-challenge name",
          Changes: [
            {
              Action: "UPSERT",
              ResourceRecordSet: {
                Name: absolute(fqdn),
                Type: "TXT",
                TTL: this.#options.ttlSeconds ?? 60,
                ResourceRecords: values.map((value) => ({ Value: route53TxtValue(value) })),
              },
            },
          ],
        },
      }),
    );
    const id = output.ChangeInfo?.Id;
    if (id === undefined) throw new Error(`Route 53 returned no change id for ${fqdn}.`);
    return { id };
  }

  /** Route 53 reports INSYNC once every one of its authoritative servers answers with it. */
  async isLive(change: DnsChange): Promise<boolean> {
    if (change.id === NOTHING_TO_WAIT_FOR.id) return true;
    const output = await this.#options.client.send(new GetChangeCommand({ Id: change.id }));
    return output.ChangeInfo?.Status === "INSYNC";
  }

  async clearTxt(fqdn: string): Promise<void> {
    const current = await this.#currentTxt(fqdn);
    if (current === undefined) return;
    try {
      await this.#options.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: this.#options.hostedZoneId,
          ChangeBatch: { Changes: [{ Action: "DELETE", ResourceRecordSet: current }] },
        }),
      );
    } catch (error) {
      // Deleted (or changed) since it was read: a DELETE must match exactly; gone is the goal.
      if (error instanceof InvalidChangeBatch && /not found/i.test(error.message)) return;
      throw error;
    }
  }

  async #currentTxt(fqdn: string): Promise<ResourceRecordSet | undefined> {
    const output = await this.#options.client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: this.#options.hostedZoneId,
        StartRecordName: absolute(fqdn),
        StartRecordType: "TXT",
        MaxItems: 1,
      }),
    );
    return output.ResourceRecordSets?.find(
      (set) => set.Type === "TXT" && absolute(set.Name ?? "") === absolute(fqdn),
    );
  }
}
