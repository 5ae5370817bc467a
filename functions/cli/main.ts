import {
  type CliIo,
  EXIT_BAD_INPUT,
  EXIT_OK,
  EXIT_PROBLEMS,
  processIo,
  UsageError,
} from "./cli-io.ts";
import { COMMANDS } from "./commands.ts";

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
  );
  return [
    "Usage: certflow <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run 'certflow <command> --help' for a command's options.",
  ].join("\n");
}

const isHelp = (arg: string | undefined) => arg === "--help" || arg === "-h";

/**
 * Output piped into a reader that stops early (`| head`) closes the pipe: the tool ends
 * quietly then, as command-line tools do, instead of failing on the next write.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WritableStream = process.stdout): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

/** The certflow command-line tool; returns the process exit code. */
export async function main(args: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    io.err(overview());
    return EXIT_BAD_INPUT;
  }
  if (isHelp(name) || (name === "help" && rest[0] === undefined)) {
    io.out(overview());
    return EXIT_OK;
  }
  const commandName = name === "help" ? (rest[0] ?? "") : name;
  const command = Object.hasOwn(COMMANDS, commandName) ? COMMANDS[commandName] : undefined;
  if (command === undefined) {
    io.err(`certflow: unknown command '${commandName}'.\n\n${overview()}`);
    return EXIT_BAD_INPUT;
  }
  try {
    const loaded = await command.load();
    if (name === "help" || rest.some(isHelp)) {
      io.out(loaded.help);
      return EXIT_OK;
    }
    return await loaded.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`certflow ${commandName}: ${error.message}`);
      io.err(`Run 'certflow ${commandName} --help' for usage.`);
      return EXIT_BAD_INPUT;
    }
    io.err(`certflow ${commandName}: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_PROBLEMS;
  }
}
