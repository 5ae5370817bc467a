// zod/mini: the same checks and messages as zod's chained API, without loading all of it when a
// step's function starts (see README, "Cold starts").
import * as z from "zod/mini";

const orderId = z.string().check(z.regex(/^ord_[A-Za-z0-9]+$/));

/** The input of most steps: the order they work on. */
export const byOrder = z.object({ orderId });

/** Steps in a polling loop also get the number of the turn. */
export const byOrderAndAttempt = z.object({
  orderId,
  attempt: z.number().check(z.int(), z.minimum(0)),
});

/** A wait that parks the execution hands its task token to the step. */
export const byOrderAndTaskToken = z.object({
  orderId,
  taskToken: z.string().check(z.minLength(1)),
});

export const byOrderAndError = z.object({
  orderId,
  error: z.object({ Error: z.string(), Cause: z.optional(z.string()) }),
});
