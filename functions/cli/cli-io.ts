import { type ParseArgsConfig, parseArgs } from "node:util";

/** Where a command writes: stdout and stderr in the real tool, buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /**
   * Writes text as it is, without a newline: an updating progress line. Without it (tests that
   * do not look at progress), progress is written as plain lines.
   */
  write?(stream: OutputStream, text: string): void;
  /** Whether the stream is a terminal, and how wide: progress then rewrites one line. */
  terminal?(stream: OutputStream): { readonly columns: number } | undefined;
}

export type OutputStream = "out" | "err";

const streamOf = (stream: OutputStream) => (stream === "out" ? process.stdout : process.stderr);

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  write: (stream, text) => streamOf(stream).write(text),
  terminal: (stream) => {
    const tty = streamOf(stream);
    return tty.isTTY === true ? { columns: tty.columns > 0 ? tty.columns : 80 } : undefined;
  },
};

export const EXIT_OK = 0;
/** The command ran and found problems (CSR defects, missing names) or failed. */
export const EXIT_PROBLEMS = 1;
/** Bad arguments, or input that could not be read. */
export const EXIT_BAD_INPUT = 2;

/** Bad arguments or unreadable input: main prints the message and a pointer to --help. */
export class UsageError extends Error {
  override name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs, strict, with its errors turned into UsageErrors. */
export function parseOptions<T extends Options>(
  args: readonly string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The one positional argument a command takes (an order id), or a UsageError. */
export function onePositional(positionals: readonly string[], what: string): string {
  const [value] = positionals;
  if (value === undefined) throw new UsageError(`Name the ${what}.`);
  if (positionals.length > 1) {
    throw new UsageError(`Name one ${what}, not ${positionals.length}: ${positionals.join(" ")}.`);
  }
  return value;
}
