import { type CliIo, EXIT_OK, EXIT_PROBLEMS, onePositional, parseOptions } from "./cli-io.ts";
import type { CliCommand } from "./commands.ts";
import { type CheckAnswer, checkLines } from "./order-format.ts";
import {
  connect,
  processContext,
  reportServiceError,
  SERVICE_HELP,
  SERVICE_OPTIONS,
  type ServiceContext,
  TOKEN_HELP,
} from "./service-client.ts";

const HELP = `Usage: certflow check ORDER_ID [--url URL] [--json]

Verify now: the service checks every name's record or file at once (the button of the same
name) and says, per name, what it found: published, or the cause (NO_RECORD, WRONG_VALUE,
NOT_PROPAGATED with each name server, …) and what to do. When everything is published, the
order goes on at once.

Options:
${SERVICE_HELP}
  -h, --help        this help

${TOKEN_HELP}

Exit status: 0 everything is published, 1 something is not yet, 2 the service refused (an order
that is not waiting for validation answers NOT_WAITING_FOR_VALIDATION).`;

export function checkCommandWith(context: ServiceContext): CliCommand {
  return {
    help: HELP,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const { values, positionals } = parseOptions(args, SERVICE_OPTIONS, true);
      const id = onePositional(positionals, "order id");
      const client = connect(context, values);
      try {
        const answer = await client.json<CheckAnswer>(
          "POST",
          `/v1/orders/${encodeURIComponent(id)}/checks`,
        );
        if (values.json) io.out(JSON.stringify(answer, null, 2));
        else for (const line of checkLines(answer)) io.out(line);
        return answer.allPublished ? EXIT_OK : EXIT_PROBLEMS;
      } catch (error) {
        return reportServiceError(error, io, values.json);
      }
    },
  };
}

export const checkCommand = checkCommandWith(processContext);
