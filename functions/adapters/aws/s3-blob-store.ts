import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import type { BlobStore } from "../../ports/blob-store.ts";

function isMissing(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error.name === "NoSuchKey" || error.name === "NotFound" || status === 404;
}

const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

export function createS3BlobStore(options: {
  client: S3Client;
  bucket: string;
  kmsKeyId?: string;
}): BlobStore {
  const { client, bucket } = options;
  const putObject = (
    key: string,
    body: Uint8Array | string,
    contentType: string,
    ifAbsent = false,
  ) =>
    client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: typeof body === "string" ? Buffer.from(body, "utf8") : body,
        ContentType: contentType,
        ...(ifAbsent ? { IfNoneMatch: "*" } : {}),
        ...(options.kmsKeyId === undefined
          ? {}
          : { ServerSideEncryption: "aws:kms" as const, SSEKMSKeyId: options.kmsKeyId }),
      }),
    );
  return {
    async put(key, body, contentType) {
      await putObject(key, body, contentType);
    },
    async putIfAbsent(key, body, contentType) {
      for (let attempt = 1; ; attempt++) {
        try {
          await putObject(key, body, contentType, true);
          return true;
        } catch (error) {
          // 412: the object exists. 409: a concurrent conditional write is under way; asking
          // again gets 412 once it landed, or the write if it failed.
          if (statusOf(error) === 412) return false;
          if (statusOf(error) !== 409 || attempt >= 5) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        }
      }
    },
    async get(key) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return answer.Body === undefined ? undefined : await answer.Body.transformToByteArray();
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}

/**
 * A client for s3rver: path-style, its fixed credentials, and no streaming checksums; `signer`
 * replaces SigV4 (s3rver takes unsigned requests).
 */
export function createLocalS3Client(endpoint: string, signer?: S3ClientConfig["signer"]): S3Client {
  return new S3Client({
    ...(signer === undefined ? {} : { signer }),
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
