import { type ParseArgsConfig, parseArgs } from "node:util";

/** Where a command writes: stdout and stderr in the real tool, buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
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
