import { resolve } from "node:path";
import { type CliIo, EXIT_OK, onePositional, parseOptions, UsageError } from "./cli-io.ts";
import type { CliCommand } from "./commands.ts";
import {
  DOWNLOAD_HELP,
  DOWNLOAD_OPTIONS,
  downloadFiles,
  downloadRequest,
  writtenLines,
} from "./downloads.ts";
import {
  connect,
  processContext,
  reportServiceError,
  SERVICE_HELP,
  SERVICE_OPTIONS,
  type ServiceContext,
  TOKEN_HELP,
} from "./service-client.ts";

const HELP = `Usage: certflow download ORDER_ID --format FORMAT --out DIR [options]

Downloads an issued order's certificate, chain and (when the service made it) private key in
the files a server wants, and writes them into DIR (created if missing; files there of the same
name are replaced whole). Private keys and .pfx/.p12 files get mode 0600.

Options:
${DOWNLOAD_HELP}
  --out DIR         where the files go
${SERVICE_HELP}
  -h, --help        this help

${TOKEN_HELP}

With --json the document lists the files written (path and mode).`;

const OPTIONS = { ...DOWNLOAD_OPTIONS, out: { type: "string" }, ...SERVICE_OPTIONS } as const;

export function downloadCommandWith(context: ServiceContext): CliCommand {
  return {
    help: HELP,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const { values, positionals } = parseOptions(args, OPTIONS, true);
      const id = onePositional(positionals, "order id");
      if (values.format === undefined)
        throw new UsageError("say --format: nginx, apache, iis, tomcat or pem.");
      if (values.out === undefined) throw new UsageError("--out DIR is required.");
      const request = await downloadRequest(values, context.env, context.cwd, "nginx");
      const client = connect(context, values);
      try {
        const files = await downloadFiles(client, id, request, resolve(context.cwd, values.out));
        if (values.json) {
          io.out(
            JSON.stringify(
              {
                id,
                format: request.format,
                files: files.map((file) => ({
                  path: file.path,
                  mode: `0${file.mode.toString(8)}`,
                })),
              },
              null,
              2,
            ),
          );
        } else {
          io.out(`Wrote the ${request.format} files of ${id}:`);
          for (const line of writtenLines(files)) io.out(line);
        }
        return EXIT_OK;
      } catch (error) {
        return reportServiceError(error, io, values.json);
      }
    },
  };
}

export const downloadCommand = downloadCommandWith(processContext);
