import type { BlobStore } from "../../ports/blob-store.ts";

export interface MemoryBlobStore extends BlobStore {
  /** The stored keys, sorted. */
  keys(): string[];
  contentType(key: string): string | undefined;
}

/** Object storage in memory for unit tests; bodies are copied in and out. */
export function createMemoryBlobStore(): MemoryBlobStore {
  const objects = new Map<string, { body: Uint8Array; contentType: string }>();
  return {
    async put(key, body, contentType) {
      const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body.slice();
      objects.set(key, { body: bytes, contentType });
    },
    async putIfAbsent(key, body, contentType) {
      if (objects.has(key)) return false;
      const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body.slice();
      objects.set(key, { body: bytes, contentType });
      return true;
    },
    async get(key) {
      return objects.get(key)?.body.slice();
    },
    async delete(key) {
      objects.delete(key);
    },
    keys: () => [...objects.keys()].sort(),
    contentType: (key) => objects.get(key)?.contentType,
  };
}
