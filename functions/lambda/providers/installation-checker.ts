import type { InstallationChecker } from "../../ports/installation-checker.ts";

/**
 * On Lambda the installation check connects to port 443 of public addresses only (never
 * loopback, private, link-local or the metadata service), its names resolved by the resolver
 * AWS provides.
 *
 * The checker (with node:tls, node:dns and certificate reading) loads with the first check.
 */
export function installationChecker(): InstallationChecker {
  let checker: Promise<InstallationChecker> | undefined;
  const loaded = () => {
    checker ??= import("../../adapters/tls/tls-installation-checker.ts").then(
      ({ createTlsInstallationChecker }) => createTlsInstallationChecker({ allowLoopback: false }),
    );
    return checker;
  };
  return {
    observe: async (host, options) => (await loaded()).observe(host, options),
  };
}
