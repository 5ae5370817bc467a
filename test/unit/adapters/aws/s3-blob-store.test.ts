import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import {
  createLocalS3Client,
  createS3BlobStore,
} from "../../../../functions/adapters/aws/s3-blob-store.ts";

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const serviceError = (name: string, httpStatusCode: number) =>
  new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode } });

describe("the S3 blob store", () => {
  it("puts bytes with the content type, and asks for SSE-KMS when a key is configured", async () => {
    s3.on(PutObjectCommand).resolves({});
    const bytes = new Uint8Array([1, 2, 3]);
    await createS3BlobStore({ client: new S3Client({}), bucket: "vault" }).put(
      "a.bin",
      bytes,
      "application/octet-stream",
    );
    await createS3BlobStore({
      client: new S3Client({}),
      bucket: "vault",
      kmsKeyId: "arn:aws:kms:eu-west-1:111122223333:key/abc",
    }).put("b.pem", "Ä", "application/x-pem-file");
    const [plain, encrypted] = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(plain).toEqual({
      Bucket: "vault",
      Key: "a.bin",
      Body: bytes,
      ContentType: "application/octet-stream",
    });
    expect(encrypted).toMatchObject({
      Bucket: "vault",
      Key: "b.pem",
      ContentType: "application/x-pem-file",
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: "arn:aws:kms:eu-west-1:111122223333:key/abc",
    });
    expect(Buffer.from(encrypted?.Body as Uint8Array).toString("utf8")).toBe("Ä");
  });

  it("reads an object's bytes", async () => {
    s3.on(GetObjectCommand, { Bucket: "vault", Key: "a.bin" }).resolves({
      Body: { transformToByteArray: async () => new Uint8Array([9, 8]) } as never,
    });
    const store = createS3BlobStore({ client: new S3Client({}), bucket: "vault" });
    expect(await store.get("a.bin")).toEqual(new Uint8Array([9, 8]));
  });

  it.each([
    ["NoSuchKey", new NoSuchKey({ message: "gone", $metadata: { httpStatusCode: 404 } })],
    ["a bare 404", serviceError("NotFound", 404)],
  ])("answers undefined for %s", async (_case, error) => {
    s3.on(GetObjectCommand).rejects(error);
    const store = createS3BlobStore({ client: new S3Client({}), bucket: "vault" });
    expect(await store.get("missing")).toBeUndefined();
  });

  it("passes other failures on", async () => {
    s3.on(GetObjectCommand).rejects(serviceError("AccessDenied", 403));
    const store = createS3BlobStore({ client: new S3Client({}), bucket: "vault" });
    await expect(store.get("secret")).rejects.toMatchObject({ name: "AccessDenied" });
  });

  it("writes conditionally with If-None-Match: *, and answers false when the object exists", async () => {
    s3.on(PutObjectCommand, { Key: "new.json" }).resolves({});
    s3.on(PutObjectCommand, { Key: "taken.json" }).rejects(serviceError("PreconditionFailed", 412));
    const store = createS3BlobStore({ client: new S3Client({}), bucket: "vault" });

    const wrote = await store.putIfAbsent("new.json", "{}", "application/json");
    const refused = await store.putIfAbsent("taken.json", "{}", "application/json");

    expect([wrote, refused]).toEqual([true, false]);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Key: "new.json",
      IfNoneMatch: "*",
    });
  });

  it("asks again after S3's 409 for a concurrent conditional write, then reports who won", async () => {
    s3.on(PutObjectCommand)
      .rejectsOnce(serviceError("ConditionalRequestConflict", 409))
      .rejectsOnce(serviceError("PreconditionFailed", 412));
    const store = createS3BlobStore({ client: new S3Client({}), bucket: "vault" });

    const wrote = await store.putIfAbsent("record.json", "{}", "application/json");

    expect(wrote).toBe(false);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
  });

  it("deletes by key", async () => {
    s3.on(DeleteObjectCommand).resolves({});
    await createS3BlobStore({ client: new S3Client({}), bucket: "vault" }).delete("old.bin");
    expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: "vault",
      Key: "old.bin",
    });
  });
});

describe("the local S3 client", () => {
  it("uses path-style addressing, s3rver's credentials and checksums only when required", async () => {
    const client = createLocalS3Client("http://127.0.0.1:4568");
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.region()).toBe("us-east-1");
    expect(await client.config.credentials()).toMatchObject({
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
    });
    expect(await client.config.requestChecksumCalculation()).toBe("WHEN_REQUIRED");
    expect(await client.config.responseChecksumValidation()).toBe("WHEN_REQUIRED");
    client.destroy();
  });
});
