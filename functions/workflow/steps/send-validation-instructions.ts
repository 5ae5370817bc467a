import { instructionsMail } from "../../mail/order-mails.ts";
import { declareMailStep } from "../order-mail.ts";

export const step = declareMailStep(
  "SendValidationInstructions",
  "Validation instructions",
  (order, settings) => instructionsMail(order, settings.publicApiUrl),
);
