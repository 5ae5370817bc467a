// What `certflow login` reads from its user: a password typed with echo off on a terminal,
// an MFA code, or lines piped into stdin (--password-stdin).

/** Reads a line from the terminal without showing what is typed; Ctrl-C ends the command. */
export function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  let value = "";
  return new Promise((resolve) => {
    const finish = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n" || char === "\u0004") {
          finish();
          resolve(value);
          return;
        }
        if (char === "\u0003") {
          finish();
          process.exit(130);
        }
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on("data", onData);
  });
}

/** Reads a line from the terminal, shown as it is typed. */
export async function readVisible(prompt: string): Promise<string> {
  const { createInterface } = await import("node:readline/promises");
  const lines = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await lines.question(prompt);
  } finally {
    lines.close();
  }
}

/** The lines piped into stdin, read to its end once; each call takes the next one. */
export function stdinLines(): () => Promise<string | undefined> {
  let lines: Promise<string[]> | undefined;
  return async () => {
    lines ??= (async () => {
      let text = "";
      for await (const chunk of process.stdin) text += (chunk as Buffer).toString("utf8");
      return text.split(/\r?\n/);
    })();
    const all = await lines;
    return all.shift();
  };
}
