import { failedMail } from "../../mail/order-mails.ts";
import { declareMailStep } from "../order-mail.ts";

/** Only a failed order is mailed: a failure recorded on a cancelled order stays quiet. */
export const step = declareMailStep("SendFailureMail", "Failure notice", (order) =>
  order.status === "FAILED" ? failedMail(order) : undefined,
);
