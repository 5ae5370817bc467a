import {
  type CustomerDnsServer,
  startCustomerDnsServer,
} from "../../infra/local/customer-dns-server.ts";

/**
 * Two authoritative servers of one zone, on 127.0.0.2 and 127.0.0.3 and the same port (the
 * service asks every authoritative server on one port: CERTFLOW_DNS_AUTHORITATIVE_PORT).
 */
export interface AuthoritativePair {
  readonly ns1: CustomerDnsServer;
  readonly ns2: CustomerDnsServer;
  readonly port: number;
  /** The resolver answers NS for `zone` naming ns1.<zone> and ns2.<zone>, and their A records. */
  delegate(resolver: CustomerDnsServer, zone: string): void;
  close(): Promise<void>;
}

const ATTEMPTS = 20;

export async function startAuthoritativePair(): Promise<AuthoritativePair> {
  for (let attempt = 1; ; attempt++) {
    const ns1 = await startCustomerDnsServer({ host: "127.0.0.2" });
    try {
      const ns2 = await startCustomerDnsServer({ host: "127.0.0.3", port: ns1.port });
      return {
        ns1,
        ns2,
        port: ns1.port,
        delegate(resolver, zone) {
          resolver.setNs(zone, [`ns1.${zone}`, `ns2.${zone}`]);
          resolver.setA(`ns1.${zone}`, "127.0.0.2");
          resolver.setA(`ns2.${zone}`, "127.0.0.3");
        },
        async close() {
          await Promise.all([ns1.close(), ns2.close()]);
        },
      };
    } catch (error) {
      await ns1.close();
      const taken = error instanceof Error && "code" in error && error.code === "EADDRINUSE";
      if (!taken || attempt >= ATTEMPTS) throw error;
    }
  }
}
