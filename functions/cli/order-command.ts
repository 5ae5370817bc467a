import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ValidationMethod } from "../domain/dcv-methods.ts";
import { KEY_TYPES } from "../domain/key-types.ts";
import { type CliIo, EXIT_OK, EXIT_PROBLEMS, parseOptions, UsageError } from "./cli-io.ts";
import type { CliCommand } from "./commands.ts";
import {
  DOWNLOAD_HELP,
  DOWNLOAD_OPTIONS,
  type DownloadRequest,
  downloadFiles,
  downloadRequest,
  type WrittenFile,
  writtenLines,
} from "./downloads.ts";
import { endText, FINAL_STATUSES, type OrderView, statusLines } from "./order-format.ts";
import { ProgressLine } from "./progress-line.ts";
import {
  connect,
  processContext,
  reportServiceError,
  SERVICE_HELP,
  SERVICE_OPTIONS,
  type ServiceContext,
  TOKEN_HELP,
} from "./service-client.ts";
import { waitForOrder } from "./wait-for-order.ts";

const METHODS = [
  "dns-txt",
  "dns-cname",
  "http-file",
  "email",
] as const satisfies readonly ValidationMethod[];

const HELP = `Usage: certflow order --domain NAME [--domain NAME ...] --method METHOD --email ADDRESS
                      [--key TYPE | --csr FILE] [--wait [--out DIR]] [options]

Orders a certificate for the names (the first is the common name) and shows what to publish
for each: a DNS record, an HTTP file, or who approves by mail. With --wait it then follows the
order, pressing "verify now" at growing intervals, until it is issued (exit 0, and with --out
the files are downloaded) or fails (exit 1 with the cause).

Options:
  --domain NAME     a name the certificate covers; repeat for more
  --method METHOD   how each name is validated: ${METHODS.join(", ")}
  --approver ADDR   email: the approver's address (admin@, hostmaster@, … of the domain)
  --key TYPE        the service makes the key: ${KEY_TYPES.join(", ")}
                    (EC-P256 when neither --key nor --csr is given)
  --csr FILE        your own CSR instead (certflow csr makes one; the key stays with you)
  --email ADDRESS   the contact the service mails (default $CERTFLOW_CONTACT_EMAIL)
  --name TEXT       the contact's name (default $CERTFLOW_CONTACT_NAME, else the address)
  --wait            follow the order until it is issued or fails
  --out DIR         with --wait: download the files into DIR when issued (keys mode 0600)
${DOWNLOAD_HELP.replace("--format FORMAT   ", "--format FORMAT   with --out: ")}
${SERVICE_HELP}
  -h, --help        this help

${TOKEN_HELP}

Exit status: 0 ordered (with --wait: issued), 1 the order failed or the service had trouble,
2 bad arguments or an order the service refused (the code and message are shown).
With --json the document is the order as GET /v1/orders/{id} shows it, with "files" (path
and mode of each file written) after --out.`;

const OPTIONS = {
  domain: { type: "string", multiple: true },
  method: { type: "string" },
  approver: { type: "string" },
  key: { type: "string" },
  csr: { type: "string" },
  email: { type: "string" },
  name: { type: "string" },
  wait: { type: "boolean", default: false },
  out: { type: "string" },
  ...DOWNLOAD_OPTIONS,
  ...SERVICE_OPTIONS,
} as const;

/** Without --wait the command still waits this long for the CA's instructions to show them. */
const INSTRUCTIONS_WAIT_MS = 30_000;

export interface ParsedOrder {
  readonly body: Record<string, unknown>;
  readonly wait: boolean;
  readonly out: string | undefined;
  readonly download: DownloadRequest | undefined;
  readonly url: string | undefined;
  readonly json: boolean;
}

/** The arguments as the order's request body and what to do after submitting it. */
export async function parseOrderArguments(
  args: readonly string[],
  context: Pick<ServiceContext, "env" | "cwd">,
): Promise<ParsedOrder> {
  const { values, positionals } = parseOptions(args, OPTIONS, true);
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument '${positionals[0]}'; names go after --domain.`);
  }
  const domains = values.domain ?? [];
  if (domains.length === 0) throw new UsageError("name at least one --domain.");
  const method = values.method?.toLowerCase();
  if (method === undefined) throw new UsageError(`say --method: ${METHODS.join(", ")}.`);
  if (!(METHODS as readonly string[]).includes(method)) {
    throw new UsageError(`--method must be one of ${METHODS.join(", ")}, not '${values.method}'.`);
  }
  if (method === "email" && values.approver === undefined) {
    throw new UsageError("--method email needs --approver ADDRESS (e.g. admin@ the domain).");
  }
  if (method !== "email" && values.approver !== undefined) {
    throw new UsageError("--approver is for --method email.");
  }
  if (values.key !== undefined && values.csr !== undefined) {
    throw new UsageError("--key or --csr, not both: with --csr the key is yours.");
  }
  const keyType = values.key?.toUpperCase();
  if (keyType !== undefined && !(KEY_TYPES as readonly string[]).includes(keyType)) {
    throw new UsageError(`--key must be one of ${KEY_TYPES.join(", ")}, not '${values.key}'.`);
  }
  let csr: string | undefined;
  if (values.csr !== undefined) {
    try {
      csr = await readFile(resolve(context.cwd, values.csr), "utf8");
    } catch (error) {
      throw new UsageError(
        `cannot read the CSR ${values.csr}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
  }
  const email = values.email ?? context.env.CERTFLOW_CONTACT_EMAIL;
  if (email === undefined || email === "") {
    throw new UsageError(
      "say whom the service mails: --email ADDRESS (or set CERTFLOW_CONTACT_EMAIL).",
    );
  }
  const name = values.name ?? context.env.CERTFLOW_CONTACT_NAME ?? email;
  if (values.out !== undefined && !values.wait) {
    throw new UsageError("--out downloads the files once the order is issued: add --wait.");
  }
  const downloadValues = {
    format: values.format,
    "pfx-password-file": values["pfx-password-file"],
    profile: values.profile,
  };
  if (values.out === undefined && Object.values(downloadValues).some((v) => v !== undefined)) {
    throw new UsageError("--format, --pfx-password-file and --profile go with --out DIR.");
  }
  // Checked before ordering: a missing pfx password is no reason to find out after issuance.
  const download =
    values.out === undefined
      ? undefined
      : await downloadRequest(
          downloadValues,
          context.env,
          context.cwd,
          csr === undefined ? "nginx" : "pem",
        );
  return {
    body: {
      domains,
      validation: {
        method,
        ...(values.approver === undefined ? {} : { approverEmail: values.approver }),
      },
      ...(keyType === undefined ? {} : { key: { type: keyType } }),
      ...(csr === undefined ? {} : { csr }),
      contact: { name, email },
    },
    wait: values.wait,
    out: values.out === undefined ? undefined : resolve(context.cwd, values.out),
    download,
    url: values.url,
    json: values.json,
  };
}

export function orderCommandWith(context: ServiceContext): CliCommand {
  return {
    help: HELP,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const parsed = await parseOrderArguments(args, context);
      const client = connect(context, { url: parsed.url });
      // Human text goes to stderr under --json: stdout holds the one JSON document.
      const human = parsed.json ? "err" : "out";
      const say = (text: string) => (parsed.json ? io.err(text) : io.out(text));
      try {
        const submitted = await client.json<OrderView>("POST", "/v1/orders", parsed.body);
        const id = submitted.id;
        say(`Ordered ${id} for ${submitted.domains.join(", ")}.`);
        if (!parsed.wait) {
          // The CA's instructions come a moment after submission: show them when they do.
          const until = context.now() + INSTRUCTIONS_WAIT_MS;
          let order = submitted;
          while (order.status === "SUBMITTED" && context.now() < until) {
            await context.sleep(500);
            order = await client.json<OrderView>("GET", `/v1/orders/${encodeURIComponent(id)}`);
          }
          if (parsed.json) io.out(JSON.stringify(order, null, 2));
          else for (const line of statusLines(order, context.now())) io.out(line);
          say(
            order.status === "SUBMITTED"
              ? `What to publish shows shortly: certflow status ${id}`
              : `Then: certflow check ${id} (verify now), certflow status ${id}, or follow it with --wait.`,
          );
          return FINAL_STATUSES.has(order.status) && order.status !== "ISSUED"
            ? EXIT_PROBLEMS
            : EXIT_OK;
        }
        const progress = new ProgressLine(io, human);
        const stopWatching = context.onInterrupt?.(() => {
          progress.done();
          io.err(`Stopped following ${id}; the order goes on: certflow status ${id}`);
        });
        let order: OrderView;
        try {
          order = await waitForOrder({ client, orderId: id, context, progress });
        } finally {
          stopWatching?.();
        }
        if (order.status !== "ISSUED") {
          if (parsed.json) io.out(JSON.stringify(order, null, 2));
          io.err(`certflow order: ${endText(order)}`);
          return EXIT_PROBLEMS;
        }
        let files: WrittenFile[] | undefined;
        if (parsed.out !== undefined && parsed.download !== undefined) {
          files = await downloadFiles(client, id, parsed.download, parsed.out);
          say(`Wrote the ${parsed.download.format} files:`);
          for (const line of writtenLines(files)) say(line);
        }
        if (parsed.json) {
          const written = files?.map((file) => ({
            path: file.path,
            mode: `0${file.mode.toString(8)}`,
          }));
          io.out(
            JSON.stringify(written === undefined ? order : { ...order, files: written }, null, 2),
          );
        } else if (files === undefined) {
          io.out(`Download the files: certflow download ${id} --format nginx --out DIR`);
        }
        return EXIT_OK;
      } catch (error) {
        return reportServiceError(error, io, parsed.json);
      }
    },
  };
}

export const orderCommand = orderCommandWith(processContext);
