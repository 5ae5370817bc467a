import type { CliIo } from "./cli-io.ts";
import { csrCommand } from "./csr-command.ts";
import { executionsCommand } from "./executions-command.ts";
import { inspectCommand } from "./inspect-command.ts";
import { renewCommand } from "./renew-command.ts";

export interface CliCommand {
  /** One line for the command list. */
  readonly summary: string;
  /** The full text `certflow <command> --help` prints. */
  readonly help: string;
  /** Runs with the arguments after the command name; returns the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** The subcommands of `certflow`, by name. Add a command by adding an entry. */
export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  csr: csrCommand,
  executions: executionsCommand,
  inspect: inspectCommand,
  renew: renewCommand,
};
