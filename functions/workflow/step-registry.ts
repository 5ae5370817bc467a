import type { WorkflowStepName } from "./step-inputs.ts";
import { runStep, type StepFunction } from "./step-runner.ts";
import { askCaToValidate, checkCaDecision } from "./steps/ca-validation.ts";
import { checkCustomerPublished } from "./steps/check-customer-published.ts";
import { checkCertificateReady, finalizeWithCsr } from "./steps/issuance.ts";
import { markOrderIssued } from "./steps/mark-order-issued.ts";
import { parkOrder } from "./steps/park-order.ts";
import { placeOrderWithCa } from "./steps/place-order-with-ca.ts";
import { prepareKeyAndCsr } from "./steps/prepare-key-and-csr.ts";
import { recordFailure } from "./steps/record-failure.ts";
import { recordOrder } from "./steps/record-order.ts";
import { sendFailureMail, sendIssuedMail, sendValidationInstructions } from "./steps/send-mails.ts";
import { storeCertificate } from "./steps/store-certificate.ts";
import type { WorkflowDependencies } from "./workflow-dependencies.ts";

export type { WorkflowStepName } from "./step-inputs.ts";
export { InvalidStepInput } from "./step-runner.ts";

/**
 * Every step, for hosts that run them all in one process (the local host, tests). A Lambda
 * function loads only its own step (functions/aws/step-loader.ts).
 */
export const WORKFLOW_STEPS: { readonly [Name in WorkflowStepName]: StepFunction<Name> } = {
  RecordOrder: recordOrder,
  PrepareKeyAndCsr: prepareKeyAndCsr,
  PlaceOrderWithCa: placeOrderWithCa,
  SendValidationInstructions: sendValidationInstructions,
  CheckCustomerPublished: checkCustomerPublished,
  ParkOrder: parkOrder,
  AskCaToValidate: askCaToValidate,
  CheckCaDecision: checkCaDecision,
  FinalizeWithCsr: finalizeWithCsr,
  CheckCertificateReady: checkCertificateReady,
  StoreCertificate: storeCertificate,
  MarkOrderIssued: markOrderIssued,
  SendIssuedMail: sendIssuedMail,
  RecordFailure: recordFailure,
  SendFailureMail: sendFailureMail,
};

export const WORKFLOW_STEP_NAMES = Object.keys(WORKFLOW_STEPS) as WorkflowStepName[];

export function runWorkflowStep(
  deps: WorkflowDependencies,
  name: WorkflowStepName,
  rawInput: unknown,
): Promise<unknown> {
  return runStep(name, WORKFLOW_STEPS[name] as StepFunction<typeof name>, deps, rawInput);
}
