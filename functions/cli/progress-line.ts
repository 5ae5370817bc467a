import type { CliIo, OutputStream } from "./cli-io.ts";

/**
 * Progress on one line: on a terminal the line is rewritten in place (carriage return, cut to
 * the terminal's width so it never wraps); elsewhere (a pipe, a log file) each new text is a
 * line of its own, and a text equal to the last one is not repeated.
 */
export class ProgressLine {
  readonly #io: CliIo;
  readonly #stream: OutputStream;
  readonly #columns: number | undefined;
  #shown: string | undefined;
  #open = false;

  constructor(io: CliIo, stream: OutputStream) {
    this.#io = io;
    this.#stream = stream;
    this.#columns = io.write === undefined ? undefined : io.terminal?.(stream)?.columns;
  }

  /** Whether the line is rewritten in place (and may carry countdowns). */
  get inPlace(): boolean {
    return this.#columns !== undefined;
  }

  update(text: string): void {
    if (text === this.#shown) return;
    this.#shown = text;
    if (this.#columns === undefined || this.#io.write === undefined) {
      this.#line(text);
      return;
    }
    const width = Math.max(10, this.#columns - 1);
    const fitted = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.#io.write(this.#stream, `\r\x1b[K${fitted}`);
    this.#open = true;
  }

  /** Ends the updating line, so that what follows starts on a line of its own. */
  done(): void {
    if (this.#open) this.#io.write?.(this.#stream, "\n");
    this.#open = false;
    this.#shown = undefined;
  }

  /** A line of its own above the progress line (which is shown again by the next update). */
  print(text: string): void {
    this.done();
    this.#line(text);
  }

  #line(text: string): void {
    if (this.#stream === "out") this.#io.out(text);
    else this.#io.err(text);
  }
}
