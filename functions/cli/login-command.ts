import { type CliIo, EXIT_OK, EXIT_PROBLEMS, parseOptions, UsageError } from "./cli-io.ts";
import { credentialsPath, saveCredentials, serviceKey } from "./cognito-credentials.ts";
import {
  answerMfa,
  CognitoRefusal,
  cognitoEndpoint,
  refusalWords,
  type SignedIn,
  signInWithPassword,
} from "./cognito-idp.ts";
import type { CliCommand } from "./commands.ts";
import { processContext, type ServiceContext } from "./service-client.ts";
import { readHidden, readVisible, stdinLines } from "./terminal-input.ts";

const HELP = `Usage: certflow login --url URL --user-pool-client-id ID --region REGION --username NAME
                      [--password-stdin]

Signs in to a deployment's Cognito user pool (the API's app client, user name and password) and
keeps the ID and refresh tokens for that URL in $XDG_CONFIG_HOME/certflow/credentials.json
(else ~/.config/certflow/credentials.json, mode 0600). The commands that talk to that URL then
send the ID token, refreshed as it expires. 'certflow logout' forgets it.

Options:
  --url URL                     the deployment's API URL (default $CERTFLOW_URL)
  --user-pool-client-id ID      the API's app client (the stack's outputs name it)
  --region REGION               the user pool's region, e.g. eu-central-1
  --username NAME               your user name (an email address where the pool uses them)
  --password-stdin              read the password from stdin's first line (an MFA code from the
                                second), for scripts; on a terminal the password is asked for
                                and not shown
  -h, --help                    this help

A user whose password must be changed (a new user's first sign-in) sets it on the console's
sign-in page first. With MFA, the code of the authenticator app is asked for.

Exit status: 0 signed in, 1 Cognito or the service refused, 2 bad arguments.`;

export interface LoginContext extends ServiceContext {
  readonly stdinIsTerminal: boolean;
  /** A line typed with echo off. */
  readSecret(prompt: string): Promise<string>;
  /** A line typed and shown. */
  readLine(prompt: string): Promise<string>;
  /** The next line piped into stdin; undefined at its end. */
  nextStdinLine(): Promise<string | undefined>;
}

const OPTIONS = {
  url: { type: "string" },
  "user-pool-client-id": { type: "string" },
  region: { type: "string" },
  username: { type: "string" },
  "password-stdin": { type: "boolean", default: false },
} as const;

function required(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === "") throw new UsageError(`Give ${option}.`);
  return value.trim();
}

export function loginCommandWith(context: LoginContext): CliCommand {
  return {
    help: HELP,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const { values } = parseOptions(args, OPTIONS);
      const url = serviceKey(required(values.url ?? context.env.CERTFLOW_URL, "--url URL"));
      if (!/^https?:\/\/[^\s/]+/.test(url)) {
        throw new UsageError(`--url must be an http(s) URL, not '${url}'.`);
      }
      // The ID token goes with every request: over plain http only to this machine.
      if (
        url.startsWith("http://") &&
        !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(url)
      ) {
        throw new UsageError(
          `--url must be https (the sign-in's tokens go with every request), not '${url}'.`,
        );
      }
      const clientId = required(values["user-pool-client-id"], "--user-pool-client-id ID");
      const region = required(values.region, "--region REGION");
      if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
        throw new UsageError(
          `--region must be an AWS region such as eu-central-1, not '${region}'.`,
        );
      }
      const username = required(values.username, "--username NAME");
      let password: string | undefined;
      if (values["password-stdin"]) password = await context.nextStdinLine();
      else if (context.stdinIsTerminal) password = await context.readSecret("Password: ");
      else {
        throw new UsageError(
          "stdin is not a terminal: give --password-stdin and the password on stdin.",
        );
      }
      if (password === undefined || password === "") throw new UsageError("No password given.");

      const client = {
        endpoint: cognitoEndpoint(region, context.env),
        clientId,
        fetch: context.fetch,
      };
      let signedIn: SignedIn;
      try {
        let answer = await signInWithPassword(client, username, password);
        if (answer.kind === "challenge" && answer.name === "SOFTWARE_TOKEN_MFA") {
          const code = values["password-stdin"]
            ? await context.nextStdinLine()
            : await context.readLine("MFA code from your authenticator app: ");
          if (code === undefined || code.trim() === "") {
            io.err("certflow login: Cognito asks for an MFA code and none was given.");
            return EXIT_PROBLEMS;
          }
          answer = await answerMfa(client, answer, username, code.trim());
        }
        if (answer.kind === "challenge") {
          io.err(
            answer.name === "NEW_PASSWORD_REQUIRED"
              ? `certflow login: ${username} must choose a new password first. Sign in once on the web console's sign-in page, set the new password there, then run certflow login again.`
              : `certflow login: Cognito asks for ${answer.name}, which certflow login does not answer. Sign in on the web console's sign-in page first.`,
          );
          return EXIT_PROBLEMS;
        }
        signedIn = answer;
      } catch (error) {
        if (!(error instanceof CognitoRefusal)) throw error;
        io.err(`certflow login: ${refusalWords(error)}`);
        return EXIT_PROBLEMS;
      }
      if (signedIn.refreshToken === undefined) {
        io.err("certflow login: Cognito gave no refresh token; the sign-in was not kept.");
        return EXIT_PROBLEMS;
      }

      const path = credentialsPath(context.env);
      saveCredentials(path, url, {
        clientId,
        region,
        username,
        idToken: signedIn.idToken,
        refreshToken: signedIn.refreshToken,
        expiresAt: new Date(context.now() + signedIn.expiresInSeconds * 1000).toISOString(),
      });
      return whoAmI(context, io, url, signedIn.idToken, username, path);
    },
  };
}

/** Asks the service who the new sign-in is, so a user without a tenant or group learns it now. */
async function whoAmI(
  context: ServiceContext,
  io: CliIo,
  url: string,
  idToken: string,
  username: string,
  path: string,
): Promise<number> {
  let response: Response;
  try {
    response = await context.fetch(`${url}/v1/whoami`, {
      headers: { authorization: `Bearer ${idToken}`, accept: "application/json" },
    });
  } catch {
    io.err(`Signed in as ${username} (kept in ${path}), but no service answers at ${url}.`);
    return EXIT_PROBLEMS;
  }
  const caller = (await response.json().catch(() => ({}))) as { tenantId?: string; role?: string };
  if (!response.ok || typeof caller.tenantId !== "string") {
    io.err(
      `Signed in as ${username} (kept in ${path}), but ${url} refuses the sign-in (${response.status}): the user needs a tenant and the customer or operator group; ask your administrator.`,
    );
    return EXIT_PROBLEMS;
  }
  io.err(
    `Signed in to ${url} as ${username}: ${caller.role} of tenant ${caller.tenantId}. The sign-in is kept in ${path}.`,
  );
  return EXIT_OK;
}

export const loginCommand = loginCommandWith({
  ...processContext,
  stdinIsTerminal: process.stdin.isTTY === true,
  readSecret: readHidden,
  readLine: readVisible,
  nextStdinLine: stdinLines(),
});
