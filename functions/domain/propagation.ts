/**
 * The propagation view of a DNS check: what each of the zone's authoritative name servers answers
 * for the record, and whether that makes the record published the way a CA with multi-perspective
 * corroboration (MPIC) sees it.
 */

/** One of the zone's authoritative name servers, as its NS record names it. */
export interface AuthoritativeServer {
  /** The server's host name, from the zone's NS record (no trailing dot). */
  readonly name: string;
  /** The address it was asked at; empty when its own address could not be found. */
  readonly address: string;
}

/**
 * What one authoritative server answered: the expected record (`found`), a definite answer
 * without it (`missing`: no such name, no record, another value), or no usable answer at all
 * (`no-answer`: timeout, refused, SERVFAIL, or its address not found).
 */
export type ServerAnswerKind = "found" | "missing" | "no-answer";

export interface ServerAnswer extends AuthoritativeServer {
  readonly answer: ServerAnswerKind;
  /** What the server answered, when it is not the record (customer-readable). */
  readonly detail?: string;
}

/** Per server, as stored with a name's last check and shown to the customer. */
export interface ServerCheck {
  readonly name: string;
  readonly address: string;
  /** The server answered with the expected record. */
  readonly found: boolean;
  /** The server answered at all (false: timeout, refused, SERVFAIL, address unknown). */
  readonly answered: boolean;
  readonly detail?: string;
}

/** The record is on some authoritative servers and not yet on others. */
export const NOT_PROPAGATED = "NOT_PROPAGATED";

export type ResolverVerdict<C extends string> =
  | { readonly ok: true }
  | { readonly ok: false; readonly cause: C; readonly detail: string };

export type PropagationVerdict<C extends string> =
  | { readonly ok: true; readonly servers: readonly ServerCheck[] }
  | {
      readonly ok: false;
      readonly cause: C | typeof NOT_PROPAGATED;
      readonly detail: string;
      readonly servers: readonly ServerCheck[];
    };

const serverLabel = (server: AuthoritativeServer) =>
  server.address === "" ? server.name : `${server.name} (${server.address})`;

/** "a", "a and b", "a, b and c". */
function spoken(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

export function serverChecks(answers: readonly ServerAnswer[]): ServerCheck[] {
  return answers.map((server) => ({
    name: server.name,
    address: server.address,
    found: server.answer === "found",
    answered: server.answer !== "no-answer",
    ...(server.detail === undefined ? {} : { detail: server.detail }),
  }));
}

/**
 * "published on ns1.example.net (192.0.2.1), not yet on ns2.example.net (192.0.2.2), no answer
 * from ns3.example.net (192.0.2.3)": every group that has a server, in that order.
 */
export function describePropagation(answers: readonly ServerAnswer[]): string {
  const group = (kind: ServerAnswerKind) =>
    spoken(answers.filter((server) => server.answer === kind).map(serverLabel));
  const parts: string[] = [];
  const found = group("found");
  const missing = group("missing");
  const silent = group("no-answer");
  if (found !== "") parts.push(`published on ${found}`);
  if (missing !== "") parts.push(`not yet on ${missing}`);
  if (silent !== "") parts.push(`no answer from ${silent}`);
  return parts.join(", ");
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Whether a record is published, from the configured resolver's verdict and the answers of the
 * zone's authoritative servers, as a CA that corroborates from several vantage points decides:
 *
 * - Published needs the resolver to see the record, and every authoritative server that answers
 *   to have it: a server answering without it (no name, no record, another value) fails the
 *   check with NOT_PROPAGATED, since some of the CA's perspectives will be answered by it.
 * - A server that does not answer (timeout, refused, SERVFAIL, no address) is shown but does not
 *   block: resolvers, the CA's too, ask the zone's other servers then. If no server answers at
 *   all, the resolver's verdict stands alone (a network that lets DNS out only through its
 *   resolver must not stop every check).
 * - Without authoritative servers (none found) the resolver's verdict stands, unchanged.
 * - A SERVFAIL from the resolver (broken delegation or DNSSEC) stays the cause whatever the
 *   servers say: the CA's validating resolvers fail the same way.
 */
export function propagationVerdict<C extends string>(
  resolver: ResolverVerdict<C>,
  answers: readonly ServerAnswer[],
  options: { readonly what: string; readonly servfailCause?: C } = { what: "record" },
): ResolverVerdict<C> | PropagationVerdict<C> {
  if (answers.length === 0) return resolver;
  const servers = serverChecks(answers);
  const answering = answers.filter((server) => server.answer !== "no-answer");
  const found = answering.filter((server) => server.answer === "found");
  const view = describePropagation(answers);

  if (answering.length === 0) {
    return resolver.ok
      ? { ok: true, servers }
      : {
          ok: false,
          cause: resolver.cause,
          detail: `${resolver.detail} Authoritative servers: ${view}.`,
          servers,
        };
  }
  const everywhere = found.length === answering.length;
  if (resolver.ok && everywhere) return { ok: true, servers };
  if (!resolver.ok && (resolver.cause === options.servfailCause || found.length === 0)) {
    return {
      ok: false,
      cause: resolver.cause,
      detail: `${resolver.detail} Authoritative servers: ${view}.`,
      servers,
    };
  }
  if (!resolver.ok && everywhere) {
    return {
      ok: false,
      cause: resolver.cause,
      detail:
        `${resolver.detail} Every authoritative server has it (${view}): the resolver still ` +
        "holds an older answer, which it drops when that answer's time to live ends.",
      servers,
    };
  }
  return {
    ok: false,
    cause: NOT_PROPAGATED,
    detail:
      `${capitalized(view)}. A CA looks from several places and may be answered by any of ` +
      `these servers, so the ${options.what} must be on every one of them before it validates.`,
    servers,
  };
}
