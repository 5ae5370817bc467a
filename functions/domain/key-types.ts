export const KEY_TYPES = ["EC-P256", "EC-P384", "RSA-2048", "RSA-3072", "RSA-4096"] as const;

export type KeyType = (typeof KEY_TYPES)[number];

export const DEFAULT_KEY_TYPE: KeyType = "EC-P256";

export function isKeyType(value: string): value is KeyType {
  return (KEY_TYPES as readonly string[]).includes(value);
}
