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
} from "../../../functions/adapters/aws/route53-dns-zone.ts";

const route53 = mockClient(Route53Client);
afterEach(() => route53.reset());

const zone = () =>
  new Route53DnsZone({ client: new Route53Client({}), hostedZoneId: "Z0DELEGATION" });

const target = "0f1e2d3c4b5a69788796a5b4c3d2e1f0.dcv.certflow.example";

describe("the Route 53 delegation zone", () => {
  it("upserts the whole TXT set at the name with a short TTL, and returns the change", async () => {
    route53.on(ChangeResourceRecordSetsCommand).resolves({
      ChangeInfo: { Id: "/change/C0001", Status: "PENDING", SubmittedAt: new Date() },
    });
    const change = await zone().setTxt(target, ["digest-apex", "digest-wildcard"]);
    expect(change).toEqual({ id: "/change/C0001" });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input).toEqual({
      HostedZoneId: "Z0DELEGATION",
      ChangeBatch: {
        Comment: "ACME dns-01 answer for a delegated _acme-challenge name",
        Changes: [
          {
            Action: "UPSERT",
            ResourceRecordSet: {
              Name: `${target}.`,
              Type: "TXT",
              TTL: 60,
              ResourceRecords: [{ Value: '"digest-apex"' }, { Value: '"digest-wildcard"' }],
            },
          },
        ],
      },
    });
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

  it("clears by deleting exactly the record set it finds at the name", async () => {
    const current = {
      Name: `${target}.`,
      Type: "TXT" as const,
      TTL: 60,
      ResourceRecords: [{ Value: '"digest-apex"' }],
    };
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [current],
      IsTruncated: false,
      MaxItems: 1,
    });
    route53.on(ChangeResourceRecordSetsCommand).resolves({
      ChangeInfo: { Id: "/change/C0002", Status: "PENDING", SubmittedAt: new Date() },
    });
    await zone().clearTxt(target);
    expect(route53.commandCalls(ListResourceRecordSetsCommand)[0]?.args[0].input).toEqual({
      HostedZoneId: "Z0DELEGATION",
      StartRecordName: `${target}.`,
      StartRecordType: "TXT",
      MaxItems: 1,
    });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input).toEqual({
      HostedZoneId: "Z0DELEGATION",
      ChangeBatch: { Changes: [{ Action: "DELETE", ResourceRecordSet: current }] },
    });
  });

  it("clearing a name without TXT records changes nothing", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [{ Name: `z${target}.`, Type: "TXT", ResourceRecords: [] }],
      IsTruncated: false,
      MaxItems: 1,
    });
    await zone().clearTxt(target);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  it("a record deleted between reading and deleting is cleared; other errors are not hidden", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [{ Name: `${target}.`, Type: "TXT", TTL: 60, ResourceRecords: [] }],
      IsTruncated: false,
      MaxItems: 1,
    });
    route53.on(ChangeResourceRecordSetsCommand).rejectsOnce(
      new InvalidChangeBatch({
        message: "Tried to delete resource record set but it was not found",
        $metadata: {},
      }),
    );
    await expect(zone().clearTxt(target)).resolves.toBeUndefined();
    route53.on(ChangeResourceRecordSetsCommand).rejects(new Error("ThrottlingException"));
    await expect(zone().clearTxt(target)).rejects.toThrow("ThrottlingException");
  });

  it("writes TXT values quoted, escaped and split into 255-character strings", () => {
    expect(route53TxtValue("abc")).toBe('"abc"');
    expect(route53TxtValue('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(route53TxtValue("")).toBe('""');
    expect(route53TxtValue("a".repeat(300))).toBe(`"${"a".repeat(255)}" "${"a".repeat(45)}"`);
  });

  it("setting no values clears the name and needs no waiting", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [] });
    const dns = zone();
    const change = await dns.setTxt(target, []);
    expect(await dns.isLive(change)).toBe(true);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    expect(route53.commandCalls(GetChangeCommand)).toHaveLength(0);
  });
});
