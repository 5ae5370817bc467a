import type { InstallationRecord, InstallationResult } from "../domain/installation-check.ts";
import type { OrderRecord } from "../domain/order-record.ts";
import type { MailMessage } from "../ports/mailer.ts";

/** The results of a check whose name still serves an earlier certificate of the order. */
export function staleResults(record: InstallationRecord): InstallationResult[] {
  return record.results.filter((result) => result.finding === "OLD_CERTIFICATE");
}

/** "a", "a and b", "a, b and c", "a, b, c and 2 more". */
function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  const shown = names.length > 4 ? names.slice(0, 3) : names.slice(0, -1);
  const last = names.length > 4 ? `${names.length - 3} more` : (names.at(-1) ?? "");
  return `${shown.join(", ")} and ${last}`;
}

/**
 * "Renewed, but <name> still serves the old certificate": the mail of the check at the end of a
 * renewal's grace period, to the renewed order's customer. Names each server still serving an
 * earlier certificate, which serial it serves and which it should, and how to install the new
 * files (downloads from the order, then a check of its own).
 */
export function installationStaleMail(
  order: OrderRecord,
  record: InstallationRecord,
  apiUrl: string,
): MailMessage {
  const stale = staleResults(record);
  const names = stale.map((result) => result.domain);
  const current = order.certificate;
  const currentSerial = record.certificateSerial ?? current?.serialNumber ?? "";
  const earlier = new Map(
    (order.certificates ?? []).map((certificate) => [certificate.serialNumber, certificate]),
  );
  const lines = stale.map((result) => {
    const served = result.servedSerial ?? "unknown";
    const ends = earlier.get(served)?.notAfter;
    return `  ${result.domain}${result.host === result.domain ? "" : ` (checked at ${result.host})`}: serves serial ${served}${ends === undefined ? "" : `, which ends at ${ends}`}; it should serve ${currentSerial}.`;
  });
  const orderUrl = `${apiUrl}/v1/orders/${order.orderId}`;
  const token = '-H "Authorization: Bearer $CERTFLOW_TOKEN"';
  return {
    to: [order.contact.email],
    subject: `Renewed, but ${listNames(names)} still ${names.length === 1 ? "serves" : "serve"} the old certificate`,
    text: [
      `Hello ${order.contact.name},`,
      "",
      `Order ${order.orderId} for ${order.names.map((name) => name.display).join(", ")} was renewed: its current certificate is serial ${currentSerial}${current === undefined ? "" : `, valid until ${current.notAfter}`}.`,
      `When we looked again at ${record.checkedAt}, ${names.length === 1 ? "this name still served" : "these names still served"} an earlier certificate:`,
      "",
      ...lines,
      "",
      "Browsers accept the earlier certificate only until it ends; after that, visitors get certificate errors. Install the new one now:",
      "",
      "1. Download the new files in the format your server needs, e.g. for nginx:",
      `   curl -s "${orderUrl}/certificate?format=nginx" ${token} -H 'Accept: application/zip' -o ${order.orderId}.nginx.zip`,
      "   Apache: format=apache (also a zip). IIS and Tomcat: format=iis or format=tomcat, with",
      `   -H "X-Pfx-Password: <a password for the file>" -H 'Accept: application/x-pkcs12' -o ${order.orderId}.pfx`,
      order.keySource.kind === "uploaded-csr"
        ? "2. Replace the old certificate file with the new one together with its chain (the .fullchain.pem of the nginx download); the key stays yours."
        : "2. Replace the old files with the new ones: the certificate together with its chain (the .fullchain.pem of the nginx download) and the .key file.",
      "3. Reload the server (e.g. nginx -s reload, or systemctl reload apache2), and on every server behind these names if there are several.",
      "4. Check what each name serves now:",
      `   curl -s -X POST "${orderUrl}/installation-check" ${token}`,
    ].join("\n"),
  };
}
