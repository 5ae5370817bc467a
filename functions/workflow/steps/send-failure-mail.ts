import { failedMail } from "../../mail/order-mails.ts";
import { mailOrder } from "../order-mail.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";

export const step = declareStep({
  state: "SendFailureMail",
  input: byOrder,
  needs: { table: "write", mail: true },
  run: (deps, input) =>
    mailOrder(deps, input.orderId, "Failure notice", (order) =>
      order.status === "FAILED" ? failedMail(order) : undefined,
    ),
});
