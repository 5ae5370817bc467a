import type {
  GetSecretValueCommand,
  GetSecretValueCommandOutput,
} from "@aws-sdk/client-secrets-manager";

/** What reading a secret asks of a Secrets Manager client (tests pass their own). */
export interface SecretReader {
  send(command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput>;
}

let secretsManagerPackage: Promise<typeof import("@aws-sdk/client-secrets-manager")> | undefined;

/**
 * Secrets Manager's SDK package, loaded with the first secret read rather than when the function
 * starts: the secrets (the vault's master secret, the ACME external account binding) are read at
 * most once per process, and only by calls that need a key's passphrase or a new ACME account.
 */
function loadSecretsManager() {
  secretsManagerPackage ??= import("@aws-sdk/client-secrets-manager");
  return secretsManagerPackage;
}

/** The secret's string value (`SecretString`), read with `client`. */
export async function readSecretString(
  client: SecretReader,
  secretArn: string,
): Promise<string | undefined> {
  const { GetSecretValueCommand } = await loadSecretsManager();
  const answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  return answer.SecretString;
}

/** A Secrets Manager client built, with its package, on its first request. */
export function lazySecretsManagerClient(): SecretReader {
  let client: Promise<SecretReader> | undefined;
  return {
    async send(command) {
      client ??= loadSecretsManager().then(
        ({ SecretsManagerClient }) => new SecretsManagerClient({}),
      );
      return (await client).send(command);
    },
  };
}
