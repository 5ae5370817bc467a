/** Raw object storage (S3 on AWS, s3rver locally). The vault decides the key layout. */
export interface BlobStore {
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  /**
   * Writes the object only if no object has the key (atomically, S3's `If-None-Match: *`):
   * true when this call wrote it, false when one was there already.
   */
  putIfAbsent(key: string, body: Uint8Array | string, contentType: string): Promise<boolean>;
  /** The object's bytes, or undefined when there is no such object. */
  get(key: string): Promise<Uint8Array | undefined>;
  delete(key: string): Promise<void>;
}
