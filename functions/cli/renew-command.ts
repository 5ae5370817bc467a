import { join } from "node:path";
import { localServiceUrl, noServiceAnswers } from "../local/local-data-dir.ts";
import { readLocalToken } from "../local/local-token-file.ts";
import {
  type CliIo,
  EXIT_BAD_INPUT,
  EXIT_OK,
  EXIT_PROBLEMS,
  parseOptions,
  UsageError,
} from "./cli-io.ts";
import type { CliCommand } from "./commands.ts";

const HELP = `certflow renew --due [--url URL] [--token TOKEN] [--json]

Runs the renewal run now, as the daily schedule does: every order whose renewal is due gets
one (started once, however many runs race), and every order whose certificate ended with no
renewal becomes EXPIRED. Asks the running service (POST /v1/renewal-runs) with an operator token.

  --url URL      the service (default $CERTFLOW_URL, else the URL the local service recorded
                 in its data directory, else http://127.0.0.1:3000)
  --token TOKEN  an operator token (default $CERTFLOW_OPERATOR_TOKEN, else the local operator
                 token kept in $CERTFLOW_DATA_DIR or ./.certflow)
  --json         the run's counts as JSON`;

interface RunAnswer {
  readonly at?: string;
  readonly due?: number;
  readonly started?: number;
  readonly running?: number;
  readonly expired?: number;
  readonly notified?: number;
  readonly windowsRefreshed?: number;
  readonly skipped?: number;
  readonly failed?: number;
  readonly error?: { readonly message?: string };
}

export const renewCommand: CliCommand = {
  summary: "run the renewal run now: renew what is due (operator)",
  help: HELP,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(
      args,
      {
        due: { type: "boolean" },
        url: { type: "string" },
        token: { type: "string" },
        json: { type: "boolean" },
      },
      false,
    );
    if (positionals.length > 0 || values.due !== true) {
      throw new UsageError("Say --due: certflow renew --due renews every order that is due.");
    }
    const dataDir = process.env.CERTFLOW_DATA_DIR ?? join(process.cwd(), ".certflow");
    const url = localServiceUrl({ given: values.url, environment: process.env, dataDir });
    const token =
      values.token ?? process.env.CERTFLOW_OPERATOR_TOKEN ?? readLocalToken(dataDir, "operator");
    if (token === undefined) {
      throw new UsageError("No operator token: pass --token or set CERTFLOW_OPERATOR_TOKEN.");
    }
    let response: Response;
    try {
      response = await fetch(`${url}/v1/renewal-runs`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
    } catch {
      io.err(`certflow: ${noServiceAnswers(url)}`);
      return EXIT_BAD_INPUT;
    }
    const text = await response.text();
    let answer: RunAnswer;
    try {
      answer = JSON.parse(text) as RunAnswer;
    } catch {
      answer = { error: { message: text } };
    }
    if (!response.ok) {
      io.err(
        `certflow: the renewal run was refused (${response.status}): ${answer.error?.message ?? text}`,
      );
      return EXIT_PROBLEMS;
    }
    if (values.json === true) {
      io.out(JSON.stringify(answer, null, 2));
      return EXIT_OK;
    }
    io.out(
      `Renewal run at ${answer.at ?? "?"}: ${answer.due ?? 0} due; ${answer.started ?? 0} renewal(s) started, ${answer.running ?? 0} already running, ${answer.expired ?? 0} expired, ${answer.notified ?? 0} expiry notice(s) sent, ${answer.windowsRefreshed ?? 0} renewal window(s) asked of the CA, ${answer.skipped ?? 0} left as they are, ${answer.failed ?? 0} failed (tried again next run).`,
    );
    return EXIT_OK;
  },
};
