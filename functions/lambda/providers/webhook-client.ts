import type { WebhookClient } from "../../ports/webhook-client.ts";

/**
 * On Lambda, deliveries go over HTTPS to public addresses only (never loopback, private,
 * link-local or the metadata service), through the resolver AWS provides. The client (with
 * node:dns, node:https) loads with the first check or delivery.
 */
export function webhookClient(): WebhookClient {
  let client: Promise<WebhookClient> | undefined;
  const loaded = () => {
    client ??= Promise.all([
      import("../../adapters/webhooks/network-webhook-client.ts"),
      import("../../adapters/dcv/dns-lookup.ts"),
    ]).then(([{ createNetworkWebhookClient }, { createDnsLookup }]) =>
      createNetworkWebhookClient({
        dns: createDnsLookup({ timeoutMs: 5_000 }),
        allowLoopback: false,
      }),
    );
    return client;
  };
  return {
    checkEndpoint: async (url) => (await loaded()).checkEndpoint(url),
    post: async (request) => (await loaded()).post(request),
  };
}
