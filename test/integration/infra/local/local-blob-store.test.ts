import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3BlobStore } from "../../../../functions/adapters/aws/s3-blob-store.ts";
import { type LocalEmulators, startLocalEmulators } from "../../../../infra/local/emulators.ts";
import { withLocalConditionalWrites } from "../../../../infra/local/local-blob-store.ts";

const dataDir = mkdtempSync(join(tmpdir(), "certflow-local-blobs-"));
let emulators: LocalEmulators;

beforeAll(async () => {
  emulators = await startLocalEmulators({ dataDir, fresh: true });
});

afterAll(async () => {
  await emulators?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const s3rver = () =>
  createS3BlobStore({ client: emulators.s3.client, bucket: emulators.bucketName });
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe("conditional writes on the local host's s3rver", () => {
  it("are not enforced by s3rver itself: its PUT ignores If-None-Match", async () => {
    const blobs = s3rver();

    const first = await blobs.putIfAbsent("test/plain.json", "first", "application/json");
    const second = await blobs.putIfAbsent("test/plain.json", "second", "application/json");

    expect([first, second]).toEqual([true, true]);
    expect(text(await blobs.get("test/plain.json"))).toBe("second");
  });

  it("are enforced by the local host's store: of racing writers exactly one wins", async () => {
    const one = withLocalConditionalWrites(s3rver(), dataDir);
    const other = withLocalConditionalWrites(s3rver(), dataDir);

    const results = await Promise.all(
      ["a", "b", "c", "d"].map((body, index) =>
        (index % 2 === 0 ? one : other).putIfAbsent("test/record.json", body, "application/json"),
      ),
    );

    expect(results.filter((wrote) => wrote)).toHaveLength(1);
    expect(text(await one.get("test/record.json"))).toBe(
      ["a", "b", "c", "d"][results.indexOf(true)],
    );
  });
});
