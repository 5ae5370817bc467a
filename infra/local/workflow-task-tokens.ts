export class TaskDoesNotExist extends Error {
  override readonly name = "TaskDoesNotExist";
}

/** Emulates Step Functions task tokens: a parked task resolves when its token is sent. */
export class TaskTokenRegistry {
  readonly #pending = new Map<string, (output: unknown) => void>();

  wait(token: string): Promise<unknown> {
    return new Promise((resolve) => {
      this.#pending.set(token, resolve);
    });
  }

  resolve(token: string, output: unknown): void {
    const resolve = this.#pending.get(token);
    if (resolve === undefined) throw new TaskDoesNotExist("No task is waiting for this token.");
    this.#pending.delete(token);
    resolve(output);
  }

  drop(token: string): void {
    this.#pending.delete(token);
  }
}
