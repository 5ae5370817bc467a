import { AcmeCaDirectory } from "../../adapters/acme/acme-ca-directory.ts";
import { embeddedCaDirectory } from "../../adapters/embedded-ca/embedded-ca-directory.ts";
import type { CaDirectory } from "../../ports/ca-directory.ts";
import { AWS_ENVIRONMENT, type Environment, requiredSetting } from "../aws-environment.ts";

/**
 * The ACME CA's directory from the deployment's settings: its profiles and renewal windows,
 * read with Node's https (public CAs: the system roots), no ACME library, no account.
 */
export function acmeDirectory(env: Environment): CaDirectory {
  return new AcmeCaDirectory({
    directoryUrl: requiredSetting(env, AWS_ENVIRONMENT.acmeDirectoryUrl),
  });
}

/** The embedded CA offers no profiles and no renewal windows. */
export function embeddedDirectory(): CaDirectory {
  return embeddedCaDirectory;
}
