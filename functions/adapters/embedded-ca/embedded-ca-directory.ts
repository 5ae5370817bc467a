import type { CaDirectory, RenewalWindow } from "../../ports/ca-directory.ts";

/**
 * The embedded CA publishes nothing beyond issuing: it offers no profiles and no renewal
 * windows, so its certificates renew after two thirds of their lifetime.
 */
export const embeddedCaDirectory: CaDirectory = {
  async profiles(): Promise<Readonly<Record<string, string>>> {
    return {};
  },
  async renewalWindow(): Promise<RenewalWindow | undefined> {
    return undefined;
  },
};
