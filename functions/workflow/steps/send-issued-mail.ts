import { issuedMail } from "../../mail/order-mails.ts";
import { declareMailStep } from "../order-mail.ts";

export const step = declareMailStep("SendIssuedMail", "Issuance notice", (order, settings) =>
  issuedMail(order, settings.publicApiUrl),
);
