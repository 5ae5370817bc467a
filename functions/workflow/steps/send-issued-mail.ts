import { issuedMail } from "../../mail/order-mails.ts";
import { mailOrder } from "../order-mail.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";

export const step = declareStep({
  state: "SendIssuedMail",
  input: byOrder,
  needs: { table: "write", mail: true },
  run: (deps, input) =>
    mailOrder(deps, input.orderId, "Issuance notice", (order) =>
      issuedMail(order, deps.settings.publicApiUrl),
    ),
});
