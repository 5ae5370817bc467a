import { domainToASCII } from "node:url";
import { ORDER_STATUSES } from "../domain/order-status.ts";
import { type CliIo, EXIT_OK, parseOptions, UsageError } from "./cli-io.ts";
import type { CliCommand } from "./commands.ts";
import { listLines, type OrderView } from "./order-format.ts";
import {
  connect,
  processContext,
  reportServiceError,
  SERVICE_HELP,
  SERVICE_OPTIONS,
  type ServiceContext,
  TOKEN_HELP,
} from "./service-client.ts";

const HELP = `Usage: certflow list [--status STATUS] [--domain NAME] [--limit N] [--url URL] [--json]

Lists your orders, newest first: id, status, when ordered, until when the certificate is valid,
and the names.

Options:
  --status STATUS   only orders in this status:
                    ${ORDER_STATUSES.join(", ")}
  --domain NAME     only orders for this name (Unicode or punycode; *.example.com for a
                    wildcard)
  --limit N         at most N orders (default 20)
${SERVICE_HELP}
  -h, --help        this help

${TOKEN_HELP}`;

const OPTIONS = {
  status: { type: "string" },
  domain: { type: "string" },
  limit: { type: "string" },
  ...SERVICE_OPTIONS,
} as const;

interface ListPage {
  readonly orders: readonly OrderView[];
  readonly nextCursor?: string;
}

/** A name as orders hold it: lower case, punycode, no trailing dot; a wildcard keeps its `*.`. */
function asciiName(name: string): string {
  const text = name.trim().toLowerCase().replace(/\.$/, "");
  const wildcard = text.startsWith("*.");
  const base = wildcard ? text.slice(2) : text;
  const ascii = domainToASCII(base) || base;
  return wildcard ? `*.${ascii}` : ascii;
}

/**
 * What `--domain` matches: an order with that name. The service filters by it (`domain=`);
 * this keeps a service that does not from listing every order.
 */
export function matchesDomain(order: OrderView, search: string): boolean {
  const wanted = asciiName(search);
  return order.domains.some((domain) => asciiName(domain) === wanted);
}

export function listCommandWith(context: ServiceContext): CliCommand {
  return {
    help: HELP,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const { values, positionals } = parseOptions(args, OPTIONS, true);
      if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'.`);
      const status = values.status?.toUpperCase();
      if (status !== undefined && !(ORDER_STATUSES as readonly string[]).includes(status)) {
        throw new UsageError(
          `--status must be one of ${ORDER_STATUSES.join(", ")}, not '${values.status}'.`,
        );
      }
      const limit = values.limit === undefined ? 20 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new UsageError(`--limit must be a whole number from 1, not '${values.limit}'.`);
      }
      const client = connect(context, values);
      try {
        const found: OrderView[] = [];
        let cursor: string | undefined;
        do {
          const query = new URLSearchParams({ limit: String(Math.min(100, limit)) });
          if (status !== undefined) query.set("status", status);
          if (values.domain !== undefined) query.set("domain", values.domain);
          if (cursor !== undefined) query.set("cursor", cursor);
          const page = await client.json<ListPage>("GET", `/v1/orders?${query}`);
          const matching =
            values.domain === undefined
              ? page.orders
              : page.orders.filter((order) => matchesDomain(order, values.domain ?? ""));
          found.push(...matching.slice(0, limit - found.length));
          cursor = page.nextCursor;
        } while (cursor !== undefined && found.length < limit);
        if (values.json) io.out(JSON.stringify({ orders: found }, null, 2));
        else for (const line of listLines(found)) io.out(line);
        return EXIT_OK;
      } catch (error) {
        return reportServiceError(error, io, values.json);
      }
    },
  };
}

export const listCommand = listCommandWith(processContext);
