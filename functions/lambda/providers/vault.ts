import { S3Client } from "@aws-sdk/client-s3";
import { createS3BlobStore } from "../../adapters/aws/s3-blob-store.ts";
import { CertificateVault } from "../../vault/certificate-vault.ts";
import { derivedKeyPassphrases, type KeyPassphrases } from "../../vault/key-passphrases.ts";
import { AWS_ENVIRONMENT, type Environment, requiredSetting } from "../aws-environment.ts";
import {
  lazySecretsManagerClient,
  readSecretString,
  type SecretReader,
} from "./secrets-manager.ts";

/**
 * Key passphrases derived from the master secret in Secrets Manager. The secret is read on the
 * first passphrase asked for (never at start, so functions that only read public material never
 * fetch it) and kept for the life of the process; a failed read is retried on the next use.
 * Secrets Manager's SDK package loads with that first read too (`lazySecretsManagerClient`), so
 * a function whose calls read no private key or webhook secret never loads it.
 */
export function secretsManagerPassphrases(client: SecretReader, secretArn: string): KeyPassphrases {
  let derived: Promise<KeyPassphrases> | undefined;
  const load = async () => {
    const secret = await readSecretString(client, secretArn);
    if (secret === undefined || secret.length < 32) {
      throw new Error("The vault master secret is missing or shorter than 32 characters.");
    }
    return derivedKeyPassphrases(Buffer.from(secret, "utf8"));
  };
  return {
    async forObject(objectKey) {
      derived ??= load().catch((error: unknown) => {
        derived = undefined;
        throw error;
      });
      return (await derived).forObject(objectKey);
    },
  };
}

export function vault(env: Environment): CertificateVault {
  const blobs = createS3BlobStore({
    client: new S3Client({}),
    bucket: requiredSetting(env, AWS_ENVIRONMENT.bucketName),
    kmsKeyId: requiredSetting(env, AWS_ENVIRONMENT.kmsKeyId),
  });
  return new CertificateVault(
    blobs,
    secretsManagerPassphrases(
      lazySecretsManagerClient(),
      requiredSetting(env, AWS_ENVIRONMENT.masterSecretArn),
    ),
  );
}
