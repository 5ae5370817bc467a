import type { Instructions, OrderRecord } from "../domain/order-record.ts";
import type { MailMessage } from "../ports/mailer.ts";

export function orderLine(order: OrderRecord): string {
  return `Order ${order.orderId} for ${order.names.map((name) => name.display).join(", ")}`;
}

export function describeInstructions(domain: string, instructions: Instructions): string {
  switch (instructions.method) {
    case "http-file":
      return [
        `${domain}: serve this file over plain HTTP (port 80), with status 200 and no redirect:`,
        `  URL:     ${instructions.url}`,
        `  Content: ${instructions.content}`,
        "  The content must match exactly and must not end with a newline.",
      ].join("\n");
    case "dns-txt":
    case "dns-cname":
      return [
        `${domain}: add this DNS record at your DNS provider:`,
        `  Type:  ${instructions.recordType}`,
        `  Host:  ${instructions.host}`,
        `  Value: ${instructions.value}`,
      ].join("\n");
    case "email":
      return `${domain}: the approval mail goes to ${instructions.approver}.`;
    default: {
      const unknownMethod: never = instructions;
      return `${domain}: ${JSON.stringify(unknownMethod)}`;
    }
  }
}

export function instructionsMail(order: OrderRecord, apiUrl: string): MailMessage {
  const steps = order.validations.map((validation) =>
    validation.status === "valid"
      ? `${validation.domain}: already validated by the CA; nothing to publish.`
      : describeInstructions(validation.domain, validation.instructions),
  );
  const open = order.validations.filter((validation) => validation.status !== "valid");
  const byEmail = open.length > 0 && open.every((v) => v.instructions.method === "email");
  const first = order.names[0]?.display ?? order.orderId;
  return {
    to: [order.contact.email],
    subject: byEmail
      ? `Waiting for approval: ${first}`
      : `Action needed: publish the validation for ${first}`,
    text: [
      `Hello ${order.contact.name},`,
      "",
      byEmail
        ? `${orderLine(order)} is waiting for the approver to approve it by email.`
        : `${orderLine(order)} is waiting for you to prove control of the names.`,
      ...(order.renewalOf === undefined
        ? []
        : [
            `It renews order ${order.renewalOf}: the names must be proven again, as the earlier proof can no longer be reused. The certificate you have keeps working meanwhile; if the names are not proven by ${order.validationDeadline ?? "the deadline"}, the renewal fails and you are told.`,
          ]),
      "",
      ...steps.flatMap((step) => [step, ""]),
      ...(byEmail
        ? [
            `The approval link works until ${order.validationDeadline ?? "the deadline"}.`,
            `To mail it again: POST ${apiUrl}/v1/orders/${order.orderId}/validation/resend`,
            `To validate by DNS or HTTP instead: PUT ${apiUrl}/v1/orders/${order.orderId}/validation`,
          ]
        : [
            `We check automatically, more slowly as time passes, until ${order.validationDeadline ?? "the deadline"}.`,
            `Once published, you can ask for an immediate check: POST ${apiUrl}/v1/orders/${order.orderId}/checks`,
          ]),
      ...(order.review !== undefined && order.review.status === "awaiting-document"
        ? [
            "",
            `Organization review (${order.product}): upload the signed confirmation letter as a PNG or JPEG image of at most 500 KB, until ${order.review.deadline}:`,
            `  POST ${apiUrl}/v1/orders/${order.orderId}/documents  (Content-Type: image/png or image/jpeg)`,
          ]
        : []),
      ...order.warnings.flatMap((warning) => ["", `Note: ${warning.message}`]),
    ].join("\n"),
  };
}

export function issuedMail(order: OrderRecord, apiUrl: string): MailMessage {
  const certificate = order.certificate;
  // A renewal's certificate is downloaded from the order it renews.
  const renewed = order.renewalOf;
  const downloadId = renewed ?? order.orderId;
  return {
    to: [order.contact.email],
    subject:
      renewed === undefined
        ? `Certificate issued for ${order.names[0]?.display ?? order.orderId}`
        : `Certificate renewed for ${order.names[0]?.display ?? order.orderId}`,
    text: [
      `Hello ${order.contact.name},`,
      "",
      renewed === undefined
        ? `${orderLine(order)} is issued.`
        : `Order ${renewed} for ${order.names.map((name) => name.display).join(", ")} is renewed: its new certificate replaces the one your servers have; install it before the old one ends.`,
      certificate === undefined
        ? ""
        : `Serial ${certificate.serialNumber}, valid until ${certificate.notAfter}; renewal is planned for ${certificate.renewAt}.`,
      "",
      "Download it in the format your server needs:",
      ...["nginx", "apache", "iis", "tomcat", "pem"].map(
        (format) => `  ${apiUrl}/v1/orders/${downloadId}/certificate?format=${format}`,
      ),
      "(iis and tomcat files are protected by the password you send in the X-Pfx-Password header.)",
    ].join("\n"),
  };
}

export function failedMail(order: OrderRecord): MailMessage {
  if (order.renewalOf !== undefined) {
    return {
      to: [order.contact.email],
      subject: `Renewal failed: ${order.names[0]?.display ?? order.orderId}`,
      text: [
        `Hello ${order.contact.name},`,
        "",
        `The renewal of order ${order.renewalOf} for ${order.names.map((name) => name.display).join(", ")} failed.`,
        `Reason (${order.failure?.code ?? "INTERNAL"}): ${order.failure?.message ?? "unknown"}`,
        "",
        "The current certificate keeps serving until it ends. Fix the cause; the service tries again within a day, or renew now with POST /v1/orders/" +
          `${order.renewalOf}/renewals.`,
        ...(order.failure?.code === "VALIDATION_TIMED_OUT"
          ? [
              "",
              "The next try asks for the names to be proven again, in a new instructions mail: publish what that mail names (the value may differ from the one above).",
            ]
          : []),
      ].join("\n"),
    };
  }
  return {
    to: [order.contact.email],
    subject: `Order failed: ${order.names[0]?.display ?? order.orderId}`,
    text: [
      `Hello ${order.contact.name},`,
      "",
      `${orderLine(order)} failed.`,
      `Reason (${order.failure?.code ?? "INTERNAL"}): ${order.failure?.message ?? "unknown"}`,
      "",
      "You can correct the cause and resubmit the order.",
    ].join("\n"),
  };
}

export function reviewRejectedMail(order: OrderRecord, apiUrl: string): MailMessage {
  return {
    to: [order.contact.email],
    subject: `Organization review: changes needed for ${order.names[0]?.display ?? order.orderId}`,
    text: [
      `Hello ${order.contact.name},`,
      "",
      `${orderLine(order)} could not be approved yet.`,
      `Reason: ${order.review?.reason ?? "not given"}`,
      "",
      "The order keeps waiting. Correct what the reason names, then resubmit:",
      `  new letter (if needed): POST ${apiUrl}/v1/orders/${order.orderId}/documents`,
      `  corrected details and re-review: POST ${apiUrl}/v1/orders/${order.orderId}/resubmission`,
      `The review must be completed by ${order.review?.deadline ?? "its deadline"}.`,
    ].join("\n"),
  };
}

export function expiredMail(order: OrderRecord): MailMessage {
  return {
    to: [order.contact.email],
    subject: `Certificate expired: ${order.names[0]?.display ?? order.orderId}`,
    text: [
      `Hello ${order.contact.name},`,
      "",
      `The certificate of ${orderLine(order)} ended at ${order.certificate?.notAfter ?? "its end"}, and no renewal replaced it.`,
      order.autoRenew === false
        ? "Automatic renewal was off for this order."
        : order.planEndsAt !== undefined && order.renewal?.lastFailure === undefined
          ? `The order's plan ended at ${order.planEndsAt}.`
          : `The last renewal failed: ${order.renewal?.lastFailure?.message ?? "see the order's history"}.`,
      "",
      "Order a new certificate to restore TLS on the servers that used it.",
    ].join("\n"),
  };
}
