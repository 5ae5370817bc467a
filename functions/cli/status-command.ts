import { type CliIo, EXIT_OK, onePositional, parseOptions } from "./cli-io.ts";
import type { CliCommand } from "./commands.ts";
import { type OrderView, statusLines } from "./order-format.ts";
import {
  connect,
  processContext,
  reportServiceError,
  SERVICE_HELP,
  SERVICE_OPTIONS,
  type ServiceContext,
  TOKEN_HELP,
} from "./service-client.ts";

const HELP = `Usage: certflow status ORDER_ID [--url URL] [--json]

Shows an order: its status, names, what is still to publish for each (exactly: the record or
the file) and the last check's result, the deadline, the certificate and its renewal, or why the
order failed.

Options:
${SERVICE_HELP}
  -h, --help        this help

${TOKEN_HELP}`;

export function statusCommandWith(context: ServiceContext): CliCommand {
  return {
    help: HELP,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const { values, positionals } = parseOptions(args, SERVICE_OPTIONS, true);
      const id = onePositional(positionals, "order id");
      const client = connect(context, values);
      try {
        const order = await client.json<OrderView>("GET", `/v1/orders/${encodeURIComponent(id)}`);
        if (values.json) io.out(JSON.stringify(order, null, 2));
        else for (const line of statusLines(order, context.now())) io.out(line);
        return EXIT_OK;
      } catch (error) {
        return reportServiceError(error, io, values.json);
      }
    },
  };
}

export const statusCommand = statusCommandWith(processContext);
