import { localServiceUrl } from "../local/local-data-dir.ts";
import { type CliIo, EXIT_OK, parseOptions } from "./cli-io.ts";
import { credentialsPath, forgetCredentials } from "./cognito-credentials.ts";
import type { CliCommand } from "./commands.ts";
import { localDataDir } from "./token-sources.ts";

const HELP = `Usage: certflow logout [--url URL]

Forgets the sign-in 'certflow login' kept for the service (its ID and refresh tokens), from
$XDG_CONFIG_HOME/certflow/credentials.json (else ~/.config/certflow/credentials.json).

Options:
  --url URL   the service (default $CERTFLOW_URL, else the local service's URL)
  -h, --help  this help`;

export const logoutCommand: CliCommand = {
  help: HELP,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseOptions(args, { url: { type: "string" } });
    const env = process.env;
    const url = localServiceUrl({
      given: values.url,
      environment: env,
      dataDir: localDataDir(env, process.cwd()),
    });
    const path = credentialsPath(env);
    io.err(
      forgetCredentials(path, url)
        ? `Signed out of ${url}: its tokens are removed from ${path}.`
        : `No sign-in was kept for ${url}.`,
    );
    return EXIT_OK;
  },
};
