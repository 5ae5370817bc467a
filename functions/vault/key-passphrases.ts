import { createHmac } from "node:crypto";

/**
 * Passphrases for private keys at rest, derived per object from one master secret (kept in
 * Secrets Manager on AWS, in the data directory locally), so no passphrase is ever stored.
 */
export interface KeyPassphrases {
  forObject(objectKey: string): Promise<string>;
}

export function derivedKeyPassphrases(masterSecret: Uint8Array): KeyPassphrases {
  return {
    async forObject(objectKey) {
      return createHmac("sha256", masterSecret)
        .update(`certflow-key:${objectKey}`)
        .digest("base64url");
    },
  };
}
