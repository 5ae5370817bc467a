import { describe, expect, it } from "vitest";
import {
  describePropagation,
  propagationVerdict,
  type ResolverVerdict,
  type ServerAnswer,
} from "../../../functions/domain/propagation.ts";

type Cause = "NO_RECORD" | "WRONG_VALUE" | "DNS_SERVFAIL" | "TIMEOUT";

const ns1 = { name: "ns1.example.net", address: "192.0.2.1" };
const ns2 = { name: "ns2.example.net", address: "192.0.2.2" };
const ns3 = { name: "ns3.example.net", address: "192.0.2.3" };

const found = (server: typeof ns1): ServerAnswer => ({ ...server, answer: "found" });
const missing = (server: typeof ns1): ServerAnswer => ({
  ...server,
  answer: "missing",
  detail: "No TXT record at _acme-challenge.shop.example.com.",
});
const silent = (server: typeof ns1): ServerAnswer => ({
  ...server,
  answer: "no-answer",
  detail: "No answer from DNS within 2 s.",
});

const resolverOk: ResolverVerdict<Cause> = { ok: true };
const resolverMissing: ResolverVerdict<Cause> = {
  ok: false,
  cause: "NO_RECORD",
  detail: "No TXT record at _acme-challenge.shop.example.com.",
};
const options = { what: "TXT record", servfailCause: "DNS_SERVFAIL" as Cause };

describe("propagationVerdict", () => {
  it("keeps the resolver's verdict as it is when no authoritative server was found", () => {
    expect(propagationVerdict(resolverOk, [], options)).toEqual({ ok: true });
    expect(propagationVerdict(resolverMissing, [], options)).toEqual(resolverMissing);
  });

  it("passes when the resolver and every authoritative server have the record", () => {
    const verdict = propagationVerdict(resolverOk, [found(ns1), found(ns2)], options);
    expect(verdict).toEqual({
      ok: true,
      servers: [
        { ...ns1, found: true, answered: true },
        { ...ns2, found: true, answered: true },
      ],
    });
  });

  it("fails as NOT_PROPAGATED, naming each server, when only some servers have the record", () => {
    const verdict = propagationVerdict(resolverOk, [found(ns1), missing(ns2)], options);
    expect(verdict).toMatchObject({ ok: false, cause: "NOT_PROPAGATED" });
    expect(verdict.ok || verdict.detail).toMatch(
      /^Published on ns1\.example\.net \(192\.0\.2\.1\), not yet on ns2\.example\.net \(192\.0\.2\.2\)\. .*every one of them/,
    );
    expect("servers" in verdict && verdict.servers).toEqual([
      { ...ns1, found: true, answered: true },
      {
        ...ns2,
        found: false,
        answered: true,
        detail: "No TXT record at _acme-challenge.shop.example.com.",
      },
    ]);
  });

  it("names the disagreement even when the resolver has not seen the record yet", () => {
    const verdict = propagationVerdict(resolverMissing, [missing(ns1), found(ns2)], options);
    expect(verdict).toMatchObject({ ok: false, cause: "NOT_PROPAGATED" });
    expect(verdict.ok || verdict.detail).toContain(
      "Published on ns2.example.net (192.0.2.2), not yet on ns1.example.net (192.0.2.1)",
    );
  });

  it("keeps the resolver's cause and adds the servers when no server has the record", () => {
    const verdict = propagationVerdict(resolverMissing, [missing(ns1), missing(ns2)], options);
    expect(verdict).toMatchObject({ ok: false, cause: "NO_RECORD" });
    expect(verdict.ok || verdict.detail).toBe(
      "No TXT record at _acme-challenge.shop.example.com. Authoritative servers: not yet on ns1.example.net (192.0.2.1) and ns2.example.net (192.0.2.2).",
    );
  });

  it("fails as NOT_PROPAGATED when the resolver sees the record but a server answers without it", () => {
    const verdict = propagationVerdict(resolverOk, [missing(ns1), missing(ns2)], options);
    expect(verdict).toMatchObject({ ok: false, cause: "NOT_PROPAGATED" });
  });

  it("does not let a server that does not answer block, but shows it", () => {
    const verdict = propagationVerdict(resolverOk, [found(ns1), silent(ns2)], options);
    expect(verdict).toEqual({
      ok: true,
      servers: [
        { ...ns1, found: true, answered: true },
        { ...ns2, found: false, answered: false, detail: "No answer from DNS within 2 s." },
      ],
    });
  });

  it("lists answering, missing and silent servers in one sentence", () => {
    const verdict = propagationVerdict(
      resolverOk,
      [found(ns1), missing(ns2), silent(ns3)],
      options,
    );
    expect(verdict.ok || verdict.detail).toMatch(
      /^Published on ns1\.example\.net \(192\.0\.2\.1\), not yet on ns2\.example\.net \(192\.0\.2\.2\), no answer from ns3\.example\.net \(192\.0\.2\.3\)\./,
    );
  });

  it("lets the resolver decide alone when no authoritative server answers", () => {
    expect(propagationVerdict(resolverOk, [silent(ns1), silent(ns2)], options)).toMatchObject({
      ok: true,
    });
    const verdict = propagationVerdict(resolverMissing, [silent(ns1), silent(ns2)], options);
    expect(verdict).toMatchObject({ ok: false, cause: "NO_RECORD" });
    expect(verdict.ok || verdict.detail).toContain(
      "Authoritative servers: no answer from ns1.example.net (192.0.2.1) and ns2.example.net (192.0.2.2).",
    );
  });

  it("keeps a resolver's SERVFAIL as the cause whatever the servers answer", () => {
    const servfail: ResolverVerdict<Cause> = {
      ok: false,
      cause: "DNS_SERVFAIL",
      detail: "The DNS servers answered SERVFAIL.",
    };
    const verdict = propagationVerdict(servfail, [found(ns1), missing(ns2)], options);
    expect(verdict).toMatchObject({ ok: false, cause: "DNS_SERVFAIL" });
    expect(verdict.ok || verdict.detail).toContain(
      "Authoritative servers: published on ns1.example.net (192.0.2.1), not yet on ns2.example.net (192.0.2.2).",
    );
  });

  it("keeps the resolver's failure when every server has the record, saying the resolver lags", () => {
    const verdict = propagationVerdict(resolverMissing, [found(ns1), found(ns2)], options);
    expect(verdict).toMatchObject({ ok: false, cause: "NO_RECORD" });
    expect(verdict.ok || verdict.detail).toContain("Every authoritative server has it");
  });
});

describe("describePropagation", () => {
  it("names a server without an address by its name alone", () => {
    expect(
      describePropagation([
        found(ns1),
        { name: "ns2.example.net", address: "", answer: "no-answer" },
      ]),
    ).toBe("published on ns1.example.net (192.0.2.1), no answer from ns2.example.net");
  });

  it("joins three servers of one kind with commas and 'and'", () => {
    expect(describePropagation([found(ns1), found(ns2), found(ns3)])).toBe(
      "published on ns1.example.net (192.0.2.1), ns2.example.net (192.0.2.2) and ns3.example.net (192.0.2.3)",
    );
  });
});
