import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import {
  Route53DnsZone,
  route53TxtValue,
} from "../../../../functions/adapters/aws/route53-dns-zone.ts";

const route53 = mockClient(Route53Client);
afterEach(() => route53.reset());

const zone = () =>
  new Route53DnsZone({ client: new Route53Client({}), hostedZoneId: "Z0DELEGATION" });

const target = "0f1e2d3c4b5a69788796a5b4c3d2e1f0.dcv.certflow.example";

const changed = () =>
  route53.commandCalls(ChangeResourceRecordSetsCommand).map((call) => call.args[0].input);

const txtSet = (...values: string[]) => ({
  Name: `${target}.`,
  Type: "TXT" as const,
  TTL: 60,
  ResourceRecords: values.map((value) => ({ Value: `"${value}"` })),
});

const listing = (...sets: ReturnType<typeof txtSet>[]) => ({
  ResourceRecordSets: sets,
  IsTruncated: false,
  MaxItems: 1,
});

const accepted = (id: string) => ({
  ChangeInfo: { Id: id, Status: "PENDING" as const, SubmittedAt: new Date() },
});

const concurrentChange = () =>
  new InvalidChangeBatch({
    message: "Tried to delete resource record set but it was not found",
    $metadata: {},
  });

describe("the Route 53 delegation zone", () => {
  it("creates the TXT set at a name without one, with a short TTL, and returns the change", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(listing());
    route53.on(ChangeResourceRecordSetsCommand).resolves(accepted("/change/C0001"));
    const change = await zone().addTxt(target, ["digest-apex", "digest-wildcard"]);
    expect(change).toEqual({ id: "/change/C0001" });
    expect(route53.commandCalls(ListResourceRecordSetsCommand)[0]?.args[0].input).toEqual({
      HostedZoneId: "Z0DELEGATION",
      StartRecordName: `${target}.`,
      StartRecordType: "TXT",
      MaxItems: 1,
    });
    expect(changed()).toEqual([
      {
        HostedZoneId: "Z0DELEGATION",
        ChangeBatch: {
          Comment: "ACME dns-01 answers for a delegated _acme-challenge name",
          Changes: [
            { Action: "CREATE", ResourceRecordSet: txtSet("digest-apex", "digest-wildcard") },
          ],
        },
      },
    ]);
  });

  it("keeps the values another order wrote: deletes exactly the set it read, creates the union", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(listing(txtSet("other-order")));
    route53.on(ChangeResourceRecordSetsCommand).resolves(accepted("/change/C0002"));
    await zone().addTxt(target, ["digest-apex", "other-order"]);
    expect(changed()[0]?.ChangeBatch?.Changes).toEqual([
      { Action: "DELETE", ResourceRecordSet: txtSet("other-order") },
      { Action: "CREATE", ResourceRecordSet: txtSet("other-order", "digest-apex") },
    ]);
  });

  it("reads again and retries when another writer changed the set in between", async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce(listing())
      .resolves(listing(txtSet("written-meanwhile")));
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(concurrentChange())
      .resolves(accepted("/change/C0003"));
    expect(await zone().addTxt(target, ["digest-apex"])).toEqual({ id: "/change/C0003" });
    expect(changed().map((input) => input.ChangeBatch?.Changes)).toEqual([
      [{ Action: "CREATE", ResourceRecordSet: txtSet("digest-apex") }],
      [
        { Action: "DELETE", ResourceRecordSet: txtSet("written-meanwhile") },
        { Action: "CREATE", ResourceRecordSet: txtSet("written-meanwhile", "digest-apex") },
      ],
    ]);
  });

  it("gives up after four refused attempts, and does not retry other errors", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(listing());
    route53.on(ChangeResourceRecordSetsCommand).rejects(concurrentChange());
    await expect(zone().addTxt(target, ["digest-apex"])).rejects.toThrow(InvalidChangeBatch);
    expect(changed()).toHaveLength(4);

    route53.reset();
    route53.on(ListResourceRecordSetsCommand).resolves(listing());
    route53.on(ChangeResourceRecordSetsCommand).rejects(new Error("ThrottlingException"));
    await expect(zone().addTxt(target, ["digest-apex"])).rejects.toThrow("ThrottlingException");
    expect(changed()).toHaveLength(1);
  });

  it("is live once Route 53 reports the change INSYNC", async () => {
    route53
      .on(GetChangeCommand, { Id: "/change/C0001" })
      .resolvesOnce({
        ChangeInfo: { Id: "/change/C0001", Status: "PENDING", SubmittedAt: new Date() },
      })
      .resolves({ ChangeInfo: { Id: "/change/C0001", Status: "INSYNC", SubmittedAt: new Date() } });
    const dns = zone();
    expect(await dns.isLive({ id: "/change/C0001" })).toBe(false);
    expect(await dns.isLive({ id: "/change/C0001" })).toBe(true);
  });

  it("removes only the given values and leaves the others", async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .resolves(listing(txtSet("digest-apex", "other-order", "digest-wildcard")));
    route53.on(ChangeResourceRecordSetsCommand).resolves(accepted("/change/C0004"));
    await zone().removeTxt(target, ["digest-apex", "digest-wildcard"]);
    expect(changed()[0]?.ChangeBatch?.Changes).toEqual([
      {
        Action: "DELETE",
        ResourceRecordSet: txtSet("digest-apex", "other-order", "digest-wildcard"),
      },
      { Action: "CREATE", ResourceRecordSet: txtSet("other-order") },
    ]);
  });

  it("deletes the set with its last value; values or names that are not there change nothing", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(listing(txtSet("digest-apex")));
    route53.on(ChangeResourceRecordSetsCommand).resolves(accepted("/change/C0005"));
    await zone().removeTxt(target, ["digest-apex"]);
    expect(changed()[0]?.ChangeBatch?.Changes).toEqual([
      { Action: "DELETE", ResourceRecordSet: txtSet("digest-apex") },
    ]);

    route53.reset();
    route53.on(ListResourceRecordSetsCommand).resolves(listing(txtSet("other-order")));
    await zone().removeTxt(target, ["digest-apex"]);
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [{ Name: `z${target}.`, Type: "TXT", ResourceRecords: [] }],
    });
    await zone().removeTxt(target, ["digest-apex"]);
    expect(changed()).toHaveLength(0);
  });

  it("adding no values needs no change and no waiting", async () => {
    const dns = zone();
    const change = await dns.addTxt(target, []);
    expect(await dns.isLive(change)).toBe(true);
    expect(route53.calls()).toHaveLength(0);
  });

  it("writes TXT values quoted, escaped and split into 255-character strings", () => {
    expect(route53TxtValue("abc")).toBe('"abc"');
    expect(route53TxtValue('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(route53TxtValue("")).toBe('""');
    expect(route53TxtValue("a".repeat(300))).toBe(`"${"a".repeat(255)}" "${"a".repeat(45)}"`);
  });
});
