import { resolve } from "node:path";
import { localServiceUrl, noServiceAnswers } from "../local/local-data-dir.ts";
import { readLocalToken } from "../local/local-token-file.ts";
import {
  type CliIo,
  EXIT_BAD_INPUT,
  EXIT_OK,
  EXIT_PROBLEMS,
  onePositional,
  parseOptions,
  UsageError,
} from "./cli-io.ts";
import type { CliCommand } from "./commands.ts";
import {
  DOWNLOAD_HELP,
  DOWNLOAD_OPTIONS,
  downloadFiles,
  downloadRequest,
  writtenLines,
} from "./downloads.ts";
import { endText } from "./order-format.ts";
import { ProgressLine } from "./progress-line.ts";
import {
  connect,
  processContext,
  reportServiceError,
  SERVICE_HELP,
  type ServiceContext,
  TOKEN_HELP,
} from "./service-client.ts";
import { localDataDir } from "./token-sources.ts";
import { waitForOrder } from "./wait-for-order.ts";

const HELP = `Usage: certflow renew ORDER_ID [--rekey] [--wait [--out DIR]] [--url URL] [--json]
       certflow renew --due [--url URL] [--token TOKEN] [--json]

certflow renew ORDER_ID renews an issued order now: with the same key and CSR, or with
--rekey a new key the service makes (an order placed with your own CSR cannot be rekeyed here:
order again with a new CSR). The order stays ISSUED, serving its certificate, while the
renewal runs; when the proof of a name has lapsed, the renewal asks for a new record or file
(shown by --wait and by certflow status).

  --rekey           a new key instead of the same one
  --wait            follow the renewal until it is issued (exit 0) or fails (exit 1)
  --out DIR         with --wait: download the renewed files into DIR
${DOWNLOAD_HELP.replace("--format FORMAT   ", "--format FORMAT   with --out: ")}
${SERVICE_HELP}

${TOKEN_HELP}

certflow renew --due runs the renewal run now, as the daily schedule does: every order whose
renewal is due gets one (started once, however many runs race), and every order whose
certificate ended with no renewal becomes EXPIRED. Asks the running service
(POST /v1/renewal-runs) with an operator token.

  --url URL      the service (default $CERTFLOW_URL, else the URL the local service recorded
                 in its data directory, else http://127.0.0.1:3000)
  --token TOKEN  an operator token (default $CERTFLOW_OPERATOR_TOKEN, else the local operator
                 token kept in $CERTFLOW_DATA_DIR or ./.certflow)
  --json         the run's counts as JSON`;

const OPTIONS = {
  due: { type: "boolean", default: false },
  token: { type: "string" },
  rekey: { type: "boolean", default: false },
  wait: { type: "boolean", default: false },
  out: { type: "string" },
  ...DOWNLOAD_OPTIONS,
  url: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

interface RunAnswer {
  readonly at?: string;
  readonly due?: number;
  readonly started?: number;
  readonly running?: number;
  readonly expired?: number;
  readonly notified?: number;
  readonly windowsRefreshed?: number;
  readonly installationRechecks?: number;
  readonly skipped?: number;
  readonly failed?: number;
  readonly more?: boolean;
  readonly error?: { readonly message?: string };
}

interface RenewalAnswer {
  readonly id: string;
  readonly renewal: { readonly orderId: string; readonly rekey: boolean };
}

async function renewalRun(
  values: { url?: string; token?: string; json: boolean },
  context: ServiceContext,
  io: CliIo,
): Promise<number> {
  const dataDir = localDataDir(context.env, context.cwd);
  const url = localServiceUrl({ given: values.url, environment: context.env, dataDir });
  const token =
    values.token ?? context.env.CERTFLOW_OPERATOR_TOKEN ?? readLocalToken(dataDir, "operator");
  if (token === undefined) {
    throw new UsageError("No operator token: pass --token or set CERTFLOW_OPERATOR_TOKEN.");
  }
  let response: Response;
  try {
    response = await context.fetch(`${url}/v1/renewal-runs`, {
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
  if (values.json) {
    io.out(JSON.stringify(answer, null, 2));
    return EXIT_OK;
  }
  io.out(
    `Renewal run at ${answer.at ?? "?"}: ${answer.due ?? 0} due; ${answer.started ?? 0} renewal(s) started, ${answer.running ?? 0} already running, ${answer.expired ?? 0} expired, ${answer.notified ?? 0} expiry notice(s) sent, ${answer.windowsRefreshed ?? 0} renewal window(s) asked of the CA, ${answer.installationRechecks ?? 0} installation(s) checked again, ${answer.skipped ?? 0} left as they are, ${answer.failed ?? 0} failed (tried again next run).`,
  );
  if (answer.more === true) {
    io.out("More orders are due than one run takes: run certflow renew --due again to go on.");
  }
  return EXIT_OK;
}

export function renewCommandWith(context: ServiceContext): CliCommand {
  return {
    help: HELP,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const { values, positionals } = parseOptions(args, OPTIONS, true);
      if (values.due) {
        if (positionals.length > 0) {
          throw new UsageError("--due renews every order that is due: name no order with it.");
        }
        if (values.rekey || values.wait || values.out !== undefined) {
          throw new UsageError("--rekey, --wait and --out go with an order id, not --due.");
        }
        return renewalRun(values, context, io);
      }
      if (positionals.length === 0) {
        throw new UsageError(
          "Name the order to renew (certflow renew ORDER_ID), or say --due to run the renewal run.",
        );
      }
      const id = onePositional(positionals, "order id");
      if (values.token !== undefined) {
        throw new UsageError(
          "--token goes with --due; the customer token is $CERTFLOW_TOKEN (arguments show in the process list).",
        );
      }
      if (values.out !== undefined && !values.wait) {
        throw new UsageError("--out downloads the files once the renewal is issued: add --wait.");
      }
      const download =
        values.out === undefined
          ? undefined
          : await downloadRequest(values, context.env, context.cwd, "nginx");
      const client = connect(context, values);
      const say = (text: string) => (values.json ? io.err(text) : io.out(text));
      try {
        const answer = await client.json<RenewalAnswer>(
          "POST",
          `/v1/orders/${encodeURIComponent(id)}/renewals`,
          { rekey: values.rekey },
        );
        const renewalId = answer.renewal.orderId;
        say(
          `Renewal ${renewalId} of ${id} started (${answer.renewal.rekey ? "a new key" : "the same key"}); ${id} stays ISSUED, serving its certificate, meanwhile.`,
        );
        if (!values.wait) {
          if (values.json) io.out(JSON.stringify(answer, null, 2));
          else io.out(`Follow it: certflow status ${id}, or certflow status ${renewalId}`);
          return EXIT_OK;
        }
        const progress = new ProgressLine(io, values.json ? "err" : "out");
        const stopWatching = context.onInterrupt?.(() => {
          progress.done();
          io.err(`Stopped following ${renewalId}; the renewal goes on: certflow status ${id}`);
        });
        let renewal: Awaited<ReturnType<typeof waitForOrder>>;
        try {
          renewal = await waitForOrder({ client, orderId: renewalId, context, progress });
        } finally {
          stopWatching?.();
        }
        if (renewal.status !== "ISSUED") {
          if (values.json) io.out(JSON.stringify(renewal, null, 2));
          io.err(`certflow renew: ${endText(renewal)}`);
          return EXIT_PROBLEMS;
        }
        const files =
          values.out === undefined || download === undefined
            ? undefined
            : await downloadFiles(client, id, download, resolve(context.cwd, values.out));
        if (files !== undefined) {
          say(`Wrote the ${download?.format} files:`);
          for (const line of writtenLines(files)) say(line);
        }
        if (values.json) {
          const written = files?.map((file) => ({
            path: file.path,
            mode: `0${file.mode.toString(8)}`,
          }));
          io.out(
            JSON.stringify(
              written === undefined ? renewal : { ...renewal, files: written },
              null,
              2,
            ),
          );
        }
        return EXIT_OK;
      } catch (error) {
        return reportServiceError(error, io, values.json);
      }
    },
  };
}

export const renewCommand = renewCommandWith(processContext);
