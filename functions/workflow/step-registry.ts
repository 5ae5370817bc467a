import { z } from "zod";
import { askCaToValidate, checkCaDecision } from "./steps/ca-validation.ts";
import { checkCustomerPublished } from "./steps/check-customer-published.ts";
import { checkCertificateReady, finalizeWithCsr } from "./steps/issuance.ts";
import { parkOrder } from "./steps/park-order.ts";
import { placeOrderWithCa } from "./steps/place-order-with-ca.ts";
import { prepareKeyAndCsr } from "./steps/prepare-key-and-csr.ts";
import { recordFailure } from "./steps/record-failure.ts";
import { recordOrder } from "./steps/record-order.ts";
import { sendFailureMail, sendIssuedMail, sendValidationInstructions } from "./steps/send-mails.ts";
import { markOrderIssued, storeCertificate } from "./steps/store-certificate.ts";
import { classifyTransient } from "./transient-errors.ts";
import type { WorkflowDependencies } from "./workflow-dependencies.ts";

const orderId = z.string().regex(/^ord_[A-Za-z0-9]+$/);
const byOrder = z.object({ orderId });
const withAttempt = z.object({ orderId, attempt: z.number().int().min(0) });

interface StepDefinition<Input> {
  readonly input: z.ZodType<Input>;
  readonly run: (deps: WorkflowDependencies, input: Input) => Promise<unknown>;
}

function step<Input>(input: z.ZodType<Input>, run: StepDefinition<Input>["run"]) {
  return { input, run } satisfies StepDefinition<Input>;
}

/**
 * One entry per Task state of statemachines/order.asl.json, keyed by the function each state
 * invokes (its `${<Name>FunctionArn}` placeholder).
 */
export const WORKFLOW_STEPS = {
  RecordOrder: step(byOrder, recordOrder),
  PrepareKeyAndCsr: step(byOrder, prepareKeyAndCsr),
  PlaceOrderWithCa: step(byOrder, placeOrderWithCa),
  SendValidationInstructions: step(byOrder, sendValidationInstructions),
  CheckCustomerPublished: step(withAttempt, checkCustomerPublished),
  ParkOrder: step(z.object({ orderId, taskToken: z.string().min(1) }), parkOrder),
  AskCaToValidate: step(byOrder, askCaToValidate),
  CheckCaDecision: step(withAttempt, checkCaDecision),
  FinalizeWithCsr: step(byOrder, finalizeWithCsr),
  CheckCertificateReady: step(withAttempt, checkCertificateReady),
  StoreCertificate: step(byOrder, storeCertificate),
  MarkOrderIssued: step(byOrder, markOrderIssued),
  SendIssuedMail: step(byOrder, sendIssuedMail),
  RecordFailure: step(
    z.object({ orderId, error: z.object({ Error: z.string(), Cause: z.string().optional() }) }),
    recordFailure,
  ),
  SendFailureMail: step(byOrder, sendFailureMail),
} as const;

export type WorkflowStepName = keyof typeof WORKFLOW_STEPS;

export const WORKFLOW_STEP_NAMES = Object.keys(WORKFLOW_STEPS) as WorkflowStepName[];

export class InvalidStepInput extends Error {
  override readonly name = "InvalidStepInput";
}

/** Runs one step: parses its input, and turns storage/network hiccups into a retryable name. */
export async function runWorkflowStep(
  deps: WorkflowDependencies,
  name: WorkflowStepName,
  rawInput: unknown,
): Promise<unknown> {
  const definition: StepDefinition<unknown> = WORKFLOW_STEPS[name] as StepDefinition<unknown>;
  const parsed = definition.input.safeParse(rawInput);
  if (!parsed.success) {
    throw new InvalidStepInput(`${name}: ${z.prettifyError(parsed.error)}`);
  }
  try {
    return await definition.run(deps, parsed.data);
  } catch (error) {
    throw classifyTransient(error);
  }
}
