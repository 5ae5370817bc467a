import type { BlobStore } from "../../functions/ports/blob-store.ts";

const queues = new Map<string, Promise<unknown>>();

/**
 * The local host's object storage: s3rver, whose PUT ignores `If-None-Match: *` (it honours the
 * header on GET only), so a conditional write is made conditional here. The local service is one
 * process per data directory; within it, conditional writes of one key run one at a time and
 * write only when a read finds no object. (The same call on AWS is S3's own atomic check.)
 */
export function withLocalConditionalWrites(blobs: BlobStore, scope: string): BlobStore {
  return {
    put: (key, body, contentType) => blobs.put(key, body, contentType),
    get: (key) => blobs.get(key),
    delete: (key) => blobs.delete(key),
    putIfAbsent(key, body, contentType) {
      const queueKey = `${scope}/${key}`;
      const previous = queues.get(queueKey) ?? Promise.resolve();
      const attempt = previous.then(async () => {
        if ((await blobs.get(key)) !== undefined) return false;
        return blobs.putIfAbsent(key, body, contentType);
      });
      const settled = attempt.catch(() => undefined);
      queues.set(queueKey, settled);
      void settled.then(() => {
        if (queues.get(queueKey) === settled) queues.delete(queueKey);
      });
      return attempt;
    },
  };
}
