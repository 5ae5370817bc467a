import type { WorkflowStepName } from "../workflow/step-inputs.ts";
import { runStep, type StepFunction } from "../workflow/step-runner.ts";
import type { WorkflowDependencies } from "../workflow/workflow-dependencies.ts";

export type LoadedStep = (deps: WorkflowDependencies, input: unknown) => Promise<unknown>;

const runner =
  <Name extends WorkflowStepName>(name: Name, run: StepFunction<Name>): LoadedStep =>
  (deps, input) =>
    runStep(name, run, deps, input);

/**
 * The step this function runs (CERTFLOW_FUNCTION), loaded alone. As for routes
 * (route-handlers.ts), the stack hands the name to esbuild as a constant, so the bundle holds
 * that step's module only, not every step's dependencies. A unit test checks this list against
 * the state machine's steps.
 */
export async function loadStep(): Promise<LoadedStep | undefined> {
  if (process.env.CERTFLOW_FUNCTION === "RecordOrder") {
    return runner("RecordOrder", (await import("../workflow/steps/record-order.ts")).recordOrder);
  }
  if (process.env.CERTFLOW_FUNCTION === "PrepareKeyAndCsr") {
    const { prepareKeyAndCsr } = await import("../workflow/steps/prepare-key-and-csr.ts");
    return runner("PrepareKeyAndCsr", prepareKeyAndCsr);
  }
  if (process.env.CERTFLOW_FUNCTION === "PlaceOrderWithCa") {
    const { placeOrderWithCa } = await import("../workflow/steps/place-order-with-ca.ts");
    return runner("PlaceOrderWithCa", placeOrderWithCa);
  }
  if (process.env.CERTFLOW_FUNCTION === "SendValidationInstructions") {
    const { sendValidationInstructions } = await import("../workflow/steps/send-mails.ts");
    return runner("SendValidationInstructions", sendValidationInstructions);
  }
  if (process.env.CERTFLOW_FUNCTION === "CheckCustomerPublished") {
    const { checkCustomerPublished } = await import(
      "../workflow/steps/check-customer-published.ts"
    );
    return runner("CheckCustomerPublished", checkCustomerPublished);
  }
  if (process.env.CERTFLOW_FUNCTION === "ParkOrder") {
    return runner("ParkOrder", (await import("../workflow/steps/park-order.ts")).parkOrder);
  }
  if (process.env.CERTFLOW_FUNCTION === "AskCaToValidate") {
    const { askCaToValidate } = await import("../workflow/steps/ca-validation.ts");
    return runner("AskCaToValidate", askCaToValidate);
  }
  if (process.env.CERTFLOW_FUNCTION === "CheckCaDecision") {
    const { checkCaDecision } = await import("../workflow/steps/ca-validation.ts");
    return runner("CheckCaDecision", checkCaDecision);
  }
  if (process.env.CERTFLOW_FUNCTION === "FinalizeWithCsr") {
    const { finalizeWithCsr } = await import("../workflow/steps/issuance.ts");
    return runner("FinalizeWithCsr", finalizeWithCsr);
  }
  if (process.env.CERTFLOW_FUNCTION === "CheckCertificateReady") {
    const { checkCertificateReady } = await import("../workflow/steps/issuance.ts");
    return runner("CheckCertificateReady", checkCertificateReady);
  }
  if (process.env.CERTFLOW_FUNCTION === "StoreCertificate") {
    const { storeCertificate } = await import("../workflow/steps/store-certificate.ts");
    return runner("StoreCertificate", storeCertificate);
  }
  if (process.env.CERTFLOW_FUNCTION === "MarkOrderIssued") {
    const { markOrderIssued } = await import("../workflow/steps/mark-order-issued.ts");
    return runner("MarkOrderIssued", markOrderIssued);
  }
  if (process.env.CERTFLOW_FUNCTION === "SendIssuedMail") {
    const { sendIssuedMail } = await import("../workflow/steps/send-mails.ts");
    return runner("SendIssuedMail", sendIssuedMail);
  }
  if (process.env.CERTFLOW_FUNCTION === "RecordFailure") {
    const { recordFailure } = await import("../workflow/steps/record-failure.ts");
    return runner("RecordFailure", recordFailure);
  }
  if (process.env.CERTFLOW_FUNCTION === "SendFailureMail") {
    const { sendFailureMail } = await import("../workflow/steps/send-mails.ts");
    return runner("SendFailureMail", sendFailureMail);
  }
  return undefined;
}
