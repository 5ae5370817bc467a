import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import type { ApiClient } from "./api-client.ts";

/** An order's nginx download, unpacked as a customer installs it. */
export interface NginxBundle {
  /** The certificate followed by its chain (`<name>.fullchain.pem`). */
  readonly fullchainFile: string;
  readonly keyFile: string;
  /** The certificate alone, as a customer who forgot the chain installs it. */
  readonly leafOnlyFile: string;
}

/**
 * Downloads the order's nginx bundle (its current certificate, or `serial`'s) into `directory`,
 * files readable by their owner only, and writes the leaf without its chain next to them.
 */
export async function downloadNginxBundle(
  client: ApiClient,
  orderId: string,
  directory: string,
  serial?: string,
): Promise<NginxBundle> {
  const query = serial === undefined ? "" : `&serial=${serial}`;
  const download = await client.request(
    "GET",
    `/v1/orders/${orderId}/certificate?format=nginx${query}`,
  );
  if (download.status !== 200) {
    throw new Error(`nginx download of ${orderId} answered ${download.status}`);
  }
  mkdirSync(directory, { recursive: true });
  const files = unzipSync(download.bytes);
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(directory, name), content, { mode: 0o600 });
  }
  const fullchain = Object.keys(files).find((name) => name.endsWith(".fullchain.pem")) ?? "";
  const key = Object.keys(files).find((name) => name.endsWith(".key")) ?? "";
  const [leafPem] =
    new TextDecoder()
      .decode(files[fullchain])
      .match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g) ?? [];
  const leafOnlyFile = join(directory, "leaf-only.pem");
  writeFileSync(leafOnlyFile, leafPem ?? "");
  return {
    fullchainFile: join(directory, fullchain),
    keyFile: join(directory, key),
    leafOnlyFile,
  };
}
