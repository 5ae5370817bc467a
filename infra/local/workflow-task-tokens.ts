import { TaskNotWaiting } from "../../functions/ports/workflow-engine.ts";

/** A task failed through its token: its state's Catch sees `name` as the error. */
export class TaskFailedByToken extends Error {
  override readonly name: string;

  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

interface Pending {
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Emulates Step Functions task tokens: a parked task settles when its token is answered. A task
 * registers its token before its function runs, as on AWS, so the function may answer its own.
 */
export class TaskTokenRegistry {
  readonly #pending = new Map<string, Pending>();

  wait(token: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#pending.set(token, { resolve, reject });
    });
  }

  resolve(token: string, output: unknown): void {
    this.#take(token).resolve(output);
  }

  reject(token: string, error: string, cause: string): void {
    this.#take(token).reject(new TaskFailedByToken(error, cause));
  }

  isWaiting(token: string): boolean {
    return this.#pending.has(token);
  }

  drop(token: string): void {
    this.#pending.delete(token);
  }

  #take(token: string): Pending {
    const pending = this.#pending.get(token);
    if (pending === undefined) throw new TaskNotWaiting("No task is waiting for this token.");
    this.#pending.delete(token);
    return pending;
  }
}
