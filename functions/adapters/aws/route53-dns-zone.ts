import {
  type Change,
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

/** Read-change-write attempts before giving up on a name other writers keep changing. */
const ATTEMPTS = 4;

/**
 * The delegation zone as a Route 53 hosted zone. A TXT set is changed by deleting exactly the set
 * that was read and creating the new one in one batch: Route 53 refuses the whole batch when the
 * set changed in between, so concurrent writers never drop each other's values (the change is
 * then read and made again).
 */
export class Route53DnsZone implements DnsZone {
  readonly #options: Route53DnsZoneOptions;

  constructor(options: Route53DnsZoneOptions) {
    this.#options = options;
  }

  async addTxt(fqdn: string, values: readonly string[]): Promise<DnsChange> {
    if (values.length === 0) return NOTHING_TO_WAIT_FOR;
    const wanted = values.map(route53TxtValue);
    return this.#change(fqdn, (current) => [...new Set([...current, ...wanted])], {
      // Written even when every value is there already, so the caller gets a change to wait for.
      alwaysWrite: true,
    });
  }

  /** Route 53 reports INSYNC once every one of its authoritative servers answers with it. */
  async isLive(change: DnsChange): Promise<boolean> {
    if (change.id === NOTHING_TO_WAIT_FOR.id) return true;
    const output = await this.#options.client.send(new GetChangeCommand({ Id: change.id }));
    return output.ChangeInfo?.Status === "INSYNC";
  }

  async removeTxt(fqdn: string, values: readonly string[]): Promise<void> {
    const unwanted = new Set(values.map(route53TxtValue));
    await this.#change(fqdn, (current) => current.filter((value) => !unwanted.has(value)), {
      alwaysWrite: false,
    });
  }

  async #change(
    fqdn: string,
    next: (current: readonly string[]) => string[],
    options: { alwaysWrite: boolean },
  ): Promise<DnsChange> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.#currentTxt(fqdn);
      const currentValues = (current?.ResourceRecords ?? []).flatMap((record) =>
        record.Value === undefined ? [] : [record.Value],
      );
      const values = next(currentValues);
      const unchanged =
        values.length === currentValues.length &&
        values.every((value) => currentValues.includes(value));
      if (unchanged && !options.alwaysWrite) return NOTHING_TO_WAIT_FOR;

      const changes: Change[] = [];
      if (current !== undefined) changes.push({ Action: "DELETE", ResourceRecordSet: current });
      if (values.length > 0) {
        changes.push({
          Action: "CREATE",
          ResourceRecordSet: {
            Name: absolute(fqdn),
            Type: "TXT",
            TTL: this.#options.ttlSeconds ?? 60,
            ResourceRecords: values.map((value) => ({ Value: value })),
          },
        });
      }
      try {
        const output = await this.#options.client.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: this.#options.hostedZoneId,
            ChangeBatch: {
              Comment: "ACME dns-01 answers for a delegated _acme-challenge name",
              Changes: changes,
            },
          }),
        );
        const id = output.ChangeInfo?.Id;
        if (id === undefined) throw new Error(`Route 53 returned no change id for ${fqdn}.`);
        return { id };
      } catch (error) {
        // Another writer changed the set since it was read: read it again.
        if (!(error instanceof InvalidChangeBatch) || attempt >= ATTEMPTS) throw error;
      }
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
