import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { CaUnavailable } from "../../functions/ports/certificate-authority.ts";
import type { DcvChecker } from "../../functions/ports/dcv-checker.ts";
import { type LocalHost, startLocalHost } from "../../infra/local/local-host.ts";
import { readLocalSettings } from "../../infra/local/local-settings.ts";
import { ApiClient } from "./support/api-client.ts";

const TOKEN = "issuance-token";
const settings = readLocalSettings({
  PORT: "0",
  CERTFLOW_DATA_DIR: mkdtempSync(join(tmpdir(), "certflow-e2e-mid-issuance-")),
  CERTFLOW_API_TOKENS: `${TOKEN}:tenant-a:customer,operator-token:ops:operator`,
});
/** The customer published at once: the order goes straight on to issuance. */
const published: DcvChecker = { check: async () => ({ ok: true }) };
const hosts: LocalHost[] = [];

afterAll(async () => {
  for (const host of hosts.splice(0)) await host.stop();
});

async function mailSubjects(host: LocalHost): Promise<string[]> {
  const store = (await fetch(`${host.emulators.ses.endpoint}/store`).then((r) => r.json())) as {
    emails: { subject: unknown }[];
  };
  return store.emails.map((mail) => String(mail.subject));
}

it("issues one certificate for an order whose service stopped while the CA was finalizing it", async () => {
  // Prepare: the service stops (as on SIGTERM) while its call to finalize is out at the CA.
  const first = await startLocalHost(settings, { fresh: true, dcv: published });
  let cutOff: (error: Error) => void = () => undefined;
  const finalizing = new Promise<void>((reached) => {
    first.ca.finalize = () => {
      reached();
      return new Promise((_, reject) => {
        cutOff = reject;
      });
    };
  });
  const submitted = await new ApiClient(first.url, TOKEN).request("POST", "/v1/orders", {
    body: {
      domains: ["mid-issuance.certflow.test"],
      validation: { method: "dns-txt" },
      contact: { name: "Ada", email: "ada@certflow.test" },
    },
  });
  const orderId = String(submitted.json.id);
  await finalizing;
  const statusAtStop = (await first.store.get(orderId))?.status;
  const stopping = first.stop();
  while ((await first.engine.describeExecution(`${orderId}-1`))?.status === "RUNNING") {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The execution is stopped: the step's call to the CA ends as the process would end it.
  cutOff(new CaUnavailable("The CA call was cut off by the stop."));
  await stopping;

  // Act: the service starts again on the same data.
  const second = await startLocalHost(settings, { dcv: published });
  hosts.push(second);
  const execution = await second.engine.waitForExecution(`${orderId}-2`);

  // Assess
  expect(statusAtStop).toBe("ISSUING");
  expect(execution.status).toBe("SUCCEEDED");
  const order = (await new ApiClient(second.url, TOKEN).request("GET", `/v1/orders/${orderId}`))
    .json;
  expect(order.status).toBe("ISSUED");
  const history = await second.store.history(orderId);
  expect(history.filter((event) => event.status === "ISSUED")).toHaveLength(1);
  // The mail capture runs in this process for both runs of the service and keeps every mail.
  const mails = await mailSubjects(second);
  expect(mails.filter((subject) => subject.startsWith("Action needed"))).toHaveLength(1);
  expect(mails.filter((subject) => subject.startsWith("Certificate issued"))).toHaveLength(1);
});
