import { loadOrder } from "../../orders/order-updates.ts";
import { lookAtCaDecision } from "../ca-decision.ts";
import type { CaDecision } from "../ca-progress.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrderAndAttempt } from "../step-inputs.ts";

export const step = declareStep(
  "CheckCaDecision",
  { input: byOrderAndAttempt, needs: { table: "write", ca: true } },
  async (deps, input): Promise<CaDecision> =>
    lookAtCaDecision(deps, await loadOrder(deps.store, input.orderId), input.attempt + 1),
);
