import { z } from "zod";

const orderId = z.string().regex(/^ord_[A-Za-z0-9]+$/);
const byOrder = z.object({ orderId });
const withAttempt = z.object({ orderId, attempt: z.number().int().min(0) });

/**
 * What each step accepts, keyed by the function each Task state of statemachines/order.asl.json
 * invokes (its `${<Name>FunctionArn}` placeholder).
 */
export const STEP_INPUTS = {
  RecordOrder: byOrder,
  PrepareKeyAndCsr: byOrder,
  PlaceOrderWithCa: byOrder,
  SendValidationInstructions: byOrder,
  CheckCustomerPublished: withAttempt,
  ParkOrder: z.object({ orderId, taskToken: z.string().min(1) }),
  AskCaToValidate: byOrder,
  CheckCaDecision: withAttempt,
  FinalizeWithCsr: byOrder,
  CheckCertificateReady: withAttempt,
  StoreCertificate: byOrder,
  MarkOrderIssued: byOrder,
  SendIssuedMail: byOrder,
  RecordFailure: z.object({
    orderId,
    error: z.object({ Error: z.string(), Cause: z.string().optional() }),
  }),
  SendFailureMail: byOrder,
} as const;

export type WorkflowStepName = keyof typeof STEP_INPUTS;

export type StepInput<Name extends WorkflowStepName> = z.infer<(typeof STEP_INPUTS)[Name]>;

export function isWorkflowStepName(name: string): name is WorkflowStepName {
  return Object.hasOwn(STEP_INPUTS, name);
}
