import { join } from "node:path";
import { MAILS_FOLDER } from "./captured-mails.ts";
import type { LocalSettings } from "./local-settings.ts";

export function printWelcome(
  settings: LocalSettings,
  url: string,
  mailUrl: string,
  jsonLogs?: string,
): void {
  const customer = settings.tokens.find((token) => token.role === "customer");
  const operator = settings.tokens.find((token) => token.role === "operator");
  const lines = [
    `certflow is running at ${url} (CA: ${settings.ca}, data in ${settings.dataDir})`,
    `Web console: ${url}/ (sign in ${settings.consoleSignIn === undefined ? "with an API token" : `at ${settings.consoleSignIn.baseUrl}; API tokens still work for the API`})`,
    ...(settings.acme === undefined
      ? []
      : [
          `ACME directory: ${settings.acme.directoryUrl}${settings.acme.externalAccountBinding === undefined ? "" : ` (external account ${settings.acme.externalAccountBinding.kid})`}`,
        ]),
    settings.dnsResolver === undefined
      ? "DCV checks use the system DNS resolver (set CERTFLOW_DNS_RESOLVER=host:port to change)."
      : `DCV checks query the DNS server at ${settings.dnsResolver}.`,
    `HTTP file checks connect to port ${settings.httpValidationPort}, on public addresses${settings.allowLoopbackChecks ? " and loopback (127.0.0.1, ::1; set CERTFLOW_ALLOW_LOOPBACK_CHECKS=false to refuse loopback too)" : " only (CERTFLOW_ALLOW_LOOPBACK_CHECKS=false)"}; private, link-local and metadata addresses are always refused.`,
    `Mail captured by the local SES: ${mailUrl}/ (JSON at ${mailUrl}/store); a copy of each is kept in ${join(settings.dataDir, MAILS_FOLDER)}`,
    jsonLogs === undefined
      ? "JSON logs of every step and route follow here (--json-logs)."
      : `Below: one line per order event. JSON logs of every step and route go to ${jsonLogs} (npm start -- --json-logs shows them here).`,
  ];
  if (settings.generatedTokens && customer !== undefined && operator !== undefined) {
    lines.push(
      "",
      "No CERTFLOW_API_TOKENS given; local tokens (tenant 'local', kept in the data directory):",
      `  customer: ${customer.token}`,
      `  operator: ${operator.token}`,
    );
  }
  if (customer !== undefined) {
    lines.push(
      "",
      "Try it:",
      `  export CERTFLOW_TOKEN=${customer.token}`,
      `  curl -s -X POST ${url}/v1/orders -H "Authorization: Bearer $CERTFLOW_TOKEN" -H 'Content-Type: application/json' \\`,
      `    -d '{"domains":["shop.example.test"],"validation":{"method":"dns-txt"},"contact":{"name":"Ada","email":"ada@example.test"}}'`,
      `  curl -s ${url}/v1/orders/ORDER_ID -H "Authorization: Bearer $CERTFLOW_TOKEN"`,
      `  curl -s ${url}/v1/ca/root.pem`,
    );
  }
  console.log(lines.join("\n"));
}
