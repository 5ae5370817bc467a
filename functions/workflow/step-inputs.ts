import * as z from "zod";

const orderId = z.string().regex(/^ord_[A-Za-z0-9]+$/);

/** The input of most steps: the order they work on. */
export const byOrder = z.object({ orderId });

/** Steps in a polling loop also get the number of the turn. */
export const byOrderAndAttempt = z.object({ orderId, attempt: z.number().int().min(0) });

/** A wait that parks the execution hands its task token to the step. */
export const byOrderAndTaskToken = z.object({ orderId, taskToken: z.string().min(1) });

export const byOrderAndError = z.object({
  orderId,
  error: z.object({ Error: z.string(), Cause: z.string().optional() }),
});
