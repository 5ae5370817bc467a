import * as z from "zod/mini";
import { sameWait } from "../domain/check-cadence.ts";
import { TaskNotWaiting, type WorkflowEngine } from "../ports/workflow-engine.ts";

/**
 * The wait loop: how an execution waits for something outside it (a customer publishing, an
 * approver deciding, a reviewer, a renewal date) at one state transition per turn.
 *
 * In statemachines/order.asl.json it is one `.waitForTaskToken` Task and one Choice:
 *
 *   "WaitFor…":  lambda:invoke.waitForTaskToken with Payload {orderId, taskToken, turn: $.<loop>},
 *                TimeoutSecondsPath $.<loop>.waitSeconds, ResultPath $.<loop>,
 *                Catch States.Timeout → "WaitFor…" itself (the next turn), the rest → RecordFailure,
 *                Next → "Is…": Choice on $.<loop>.done, true → onwards, otherwise → "WaitFor…".
 *
 * The state before the loop puts the first turn at $.<loop> (`firstTurn`). Each turn the step
 * looks (when a look is due), keeps its task token where a person's action can find it, and
 * ends the turn with `endTurn`:
 *
 * - done: wakes its own token, the Choice moves on;
 * - failed: fails its own token with a named error, which the Catch records on the order;
 * - wait as long as now (within 1 %): does nothing; the timeout starts the next turn (1
 *   transition a turn);
 * - wait a different time: wakes its own token with the new wait, the Choice loops back, and
 *   the next turn parks without looking again (2 transitions, only when the cadence changes).
 *
 * A person's action (a customer's "verify now", an approval link) ends the turn at once by
 * sending `{ done: true }` on the stored token.
 */

export const waitTurn = z.object({
  waitSeconds: z.number().check(z.int(), z.minimum(1)),
  /** When the turn that chose this wait began; absent when the wait was chosen otherwise. */
  checkedAt: z.optional(z.iso.datetime()),
});

export type WaitTurn = z.infer<typeof waitTurn>;

/** The input of a wait loop's step. */
export const byOrderInWaitTurn = z.object({
  orderId: z.string().check(z.regex(/^ord_[A-Za-z0-9]+$/)),
  taskToken: z.string().check(z.minLength(1)),
  turn: waitTurn,
});

/** What a turn leaves at $.<loop>: the Choice reads `done`, the next turn its timeout. */
export interface TurnResult {
  readonly done: boolean;
  readonly waitSeconds: number;
  readonly checkedAt?: string;
}

export function firstTurn(waitSeconds: number): TurnResult {
  return { done: false, waitSeconds: Math.max(1, Math.ceil(waitSeconds)) };
}

export type TurnEnd =
  | { readonly kind: "done" }
  | { readonly kind: "failed"; readonly error: string; readonly cause: string }
  | { readonly kind: "wait"; readonly waitSeconds: number };

/**
 * Whether this turn should look. A turn entered right after a change of cadence was looked at by
 * the turn before, an instant ago; every other turn starts when its wait is over.
 */
export function lookIsDue(turn: WaitTurn, now: Date): boolean {
  if (turn.checkedAt === undefined) return true;
  const sinceSeconds = (now.getTime() - Date.parse(turn.checkedAt)) / 1000;
  return sinceSeconds >= turn.waitSeconds / 2;
}

/** Ends a turn as `end` says (see above); a token someone else answered first is left alone. */
export async function endTurn(
  workflow: Pick<WorkflowEngine, "sendTaskSuccess" | "sendTaskFailure">,
  taskToken: string,
  turn: WaitTurn,
  end: TurnEnd,
  now: Date,
): Promise<void> {
  try {
    switch (end.kind) {
      case "done":
        await workflow.sendTaskSuccess(taskToken, {
          done: true,
          waitSeconds: turn.waitSeconds,
        } satisfies TurnResult);
        return;
      case "failed":
        await workflow.sendTaskFailure(taskToken, end.error, end.cause);
        return;
      case "wait": {
        if (sameWait(end.waitSeconds, turn.waitSeconds)) return;
        await workflow.sendTaskSuccess(taskToken, {
          done: false,
          waitSeconds: end.waitSeconds,
          checkedAt: now.toISOString(),
        } satisfies TurnResult);
        return;
      }
      default: {
        const unknownEnd: never = end;
        throw new Error(`Unknown end of turn ${JSON.stringify(unknownEnd)}`);
      }
    }
  } catch (error) {
    // A customer's check (or an approver) woke the task first: the turn is over already.
    if (error instanceof TaskNotWaiting) return;
    throw error;
  }
}
