import { join } from "node:path";
import { localServiceUrl, noServiceAnswers } from "../local/local-data-dir.ts";
import { readLocalToken } from "../local/local-token-file.ts";
import type { ExecutionDescription } from "../ports/workflow-engine.ts";
import {
  type CliIo,
  EXIT_BAD_INPUT,
  EXIT_OK,
  EXIT_PROBLEMS,
  parseOptions,
  UsageError,
} from "./cli-io.ts";
import type { CliCommand } from "./commands.ts";

const HELP = `certflow executions ORDER_ID [--url URL] [--token TOKEN] [--json]

Prints the state history of an order's execution: every state entered and left, retries,
caught errors, and how the execution ended. Asks the running service (GET /v1/orders/{id}, then
GET /v1/executions/{name}) with an operator token.

  --url URL      the service (default $CERTFLOW_URL, else the URL the local service recorded
                 in its data directory, else http://127.0.0.1:3000)
  --token TOKEN  an operator token (default $CERTFLOW_OPERATOR_TOKEN, else the local operator
                 token kept in $CERTFLOW_DATA_DIR or ./.certflow)
  --json         the raw execution description`;

interface ServiceAnswer {
  readonly error?: { readonly message?: string };
  readonly execution?: { readonly name?: string };
  readonly status?: string;
}

async function getJson(
  url: string,
  token: string,
): Promise<{ status: number; body: ServiceAnswer }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  let body: ServiceAnswer;
  try {
    body = JSON.parse(text) as ServiceAnswer;
  } catch {
    body = { error: { message: text } };
  }
  return { status: response.status, body };
}

function describeEvent(event: ExecutionDescription["events"][number]): string {
  const time = event.timestamp.slice(11, 23);
  const state = event.stateName === undefined ? "" : ` ${event.stateName}`;
  const error = event.error === undefined ? "" : ` ${event.error}`;
  const cause = event.cause === undefined ? "" : `: ${event.cause}`;
  return `${time}  ${event.type}${state}${error}${cause}`;
}

export const executionsCommand: CliCommand = {
  help: HELP,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(
      args,
      { url: { type: "string" }, token: { type: "string" }, json: { type: "boolean" } },
      true,
    );
    const [orderId] = positionals;
    if (orderId === undefined || positionals.length > 1) throw new UsageError("Name one order id.");
    const dataDir = process.env.CERTFLOW_DATA_DIR ?? join(process.cwd(), ".certflow");
    const url = localServiceUrl({ given: values.url, environment: process.env, dataDir });
    const token =
      values.token ?? process.env.CERTFLOW_OPERATOR_TOKEN ?? readLocalToken(dataDir, "operator");
    if (token === undefined) {
      throw new UsageError("No operator token: pass --token or set CERTFLOW_OPERATOR_TOKEN.");
    }
    let order: Awaited<ReturnType<typeof getJson>>;
    try {
      order = await getJson(`${url}/v1/orders/${encodeURIComponent(orderId)}`, token);
    } catch {
      io.err(`certflow: ${noServiceAnswers(url)}`);
      return EXIT_BAD_INPUT;
    }
    if (order.status !== 200) {
      io.err(`certflow: ${order.body?.error?.message ?? `the service answered ${order.status}`}`);
      return EXIT_PROBLEMS;
    }
    const name = order.body.execution?.name;
    if (typeof name !== "string") {
      io.err(`certflow: order ${orderId} has no execution yet.`);
      return EXIT_PROBLEMS;
    }
    const execution = await getJson(`${url}/v1/executions/${encodeURIComponent(name)}`, token);
    if (execution.status !== 200) {
      io.err(
        `certflow: ${execution.body?.error?.message ?? `the service answered ${execution.status}`}`,
      );
      return EXIT_PROBLEMS;
    }
    const description = execution.body as unknown as ExecutionDescription;
    if (values.json === true) {
      io.out(JSON.stringify(description, null, 2));
      return EXIT_OK;
    }
    io.out(
      `Execution ${description.name} of order ${orderId} (${order.body.status}): ${description.status}`,
    );
    io.out(
      `started ${description.startedAt}${description.stoppedAt === undefined ? "" : `, stopped ${description.stoppedAt}`}`,
    );
    for (const event of description.events) io.out(describeEvent(event));
    return EXIT_OK;
  },
};
