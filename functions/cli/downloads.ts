import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DeliveryFormat } from "../pki/delivery-bundles.ts";
import { UsageError } from "./cli-io.ts";
import type { ServiceClient } from "./service-client.ts";

export const DOWNLOAD_FORMATS = [
  "nginx",
  "apache",
  "iis",
  "tomcat",
  "pem",
] as const satisfies readonly DeliveryFormat[];

export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

/** The type each download is asked for with: API Gateway hands out bytes only when Accept names it. */
const ACCEPT: Record<DownloadFormat, string> = {
  nginx: "application/zip",
  apache: "application/zip",
  iis: "application/x-pkcs12",
  tomcat: "application/x-pkcs12",
  pem: "application/x-pem-file",
};

const PKCS12_FORMATS: ReadonlySet<DownloadFormat> = new Set(["iis", "tomcat"]);

export const DOWNLOAD_OPTIONS = {
  format: { type: "string" },
  "pfx-password-file": { type: "string" },
  profile: { type: "string" },
} as const;

export const DOWNLOAD_HELP = `  --format FORMAT   nginx (fullchain, key), apache (certificate, chain, key),
                    iis (.pfx), tomcat (.p12) or pem (certificate and chain, no key)
  --pfx-password-file FILE
                    iis and tomcat: the file's password, the first line of FILE (- reads
                    stdin); else $CERTFLOW_PFX_PASSWORD. Never an argument: the process list
                    shows arguments to everyone on the machine
  --profile P       iis and tomcat: modern (default) or legacy (Windows Server 2016 and older)`;

export interface DownloadRequest {
  readonly format: DownloadFormat;
  readonly password?: string;
  readonly profile?: string;
}

export function formatArgument(
  value: string | undefined,
  fallback: DownloadFormat,
): DownloadFormat {
  if (value === undefined) return fallback;
  const format = value.toLowerCase();
  if (!(DOWNLOAD_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${DOWNLOAD_FORMATS.join(", ")}, not '${value}'.`);
  }
  return format as DownloadFormat;
}

/** The download the options ask for, with the pfx password read from its file or the environment. */
export async function downloadRequest(
  values: { format?: string; "pfx-password-file"?: string; profile?: string },
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  fallback: DownloadFormat,
  readStdin: () => Promise<string> = () => readFile("/dev/stdin", "utf8"),
): Promise<DownloadRequest> {
  const format = formatArgument(values.format, fallback);
  if (!PKCS12_FORMATS.has(format)) {
    if (values["pfx-password-file"] !== undefined || values.profile !== undefined) {
      throw new UsageError(
        `--pfx-password-file and --profile are for iis and tomcat, not ${format}.`,
      );
    }
    return { format };
  }
  let password: string | undefined;
  const file = values["pfx-password-file"];
  if (file !== undefined) {
    let text: string;
    try {
      text = file === "-" ? await readStdin() : await readFile(resolve(cwd, file), "utf8");
    } catch (error) {
      throw new UsageError(
        `cannot read the password file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
    password = text.split(/\r?\n/)[0];
  } else {
    password = env.CERTFLOW_PFX_PASSWORD;
  }
  if (password === undefined || password === "") {
    throw new UsageError(
      `${format} needs a password for the file: --pfx-password-file FILE or $CERTFLOW_PFX_PASSWORD.`,
    );
  }
  return { format, password, profile: values.profile };
}

export interface WrittenFile {
  readonly path: string;
  readonly mode: number;
}

/** Keys and the PKCS#12 files that hold them are readable by their owner only. */
function modeFor(name: string, content: Uint8Array): number {
  if (/\.(key|pfx|p12)$/i.test(name)) return 0o600;
  const text = new TextDecoder().decode(content.subarray(0, 65_536));
  return text.includes("PRIVATE KEY-----") ? 0o600 : 0o644;
}

/** A name a zip entry or the service gave: a plain file name, or refused. */
function safeName(name: string): string {
  if (name === "" || name === "." || name === ".." || /[/\\\0]/.test(name)) {
    throw new Error(`the download holds a file named '${name}', which is not a plain file name.`);
  }
  return name;
}

/**
 * Writes a file whole, with its mode from the start: into a new file beside it, then renamed
 * over the old one (a server reading it sees the old file or the new one, never half of one).
 */
async function writeWhole(path: string, content: Uint8Array, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, content, { mode, flag: "wx" });
    await chmod(temporary, mode);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Downloads the order's files in the format and writes them into the directory. */
export async function downloadFiles(
  client: ServiceClient,
  orderId: string,
  request: DownloadRequest,
  directory: string,
): Promise<WrittenFile[]> {
  const query = new URLSearchParams({ format: request.format });
  if (request.profile !== undefined) query.set("profile", request.profile);
  const download = await client.download(
    `/v1/orders/${encodeURIComponent(orderId)}/certificate?${query}`,
    ACCEPT[request.format],
    request.password === undefined ? {} : { "x-pfx-password": request.password },
  );
  let files: Record<string, Uint8Array>;
  if (request.format === "nginx" || request.format === "apache") {
    const { unzipSync } = await import("fflate");
    files = unzipSync(download.bytes);
  } else {
    const extension = request.format === "pem" ? "pem" : request.format === "iis" ? "pfx" : "p12";
    files = { [download.fileName ?? `${orderId}.${extension}`]: download.bytes };
  }
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const written: WrittenFile[] = [];
  for (const [name, content] of Object.entries(files)) {
    const path = join(directory, safeName(name));
    const mode = modeFor(name, content);
    await writeWhole(path, content, mode);
    written.push({ path, mode });
  }
  return written;
}

export function writtenLines(files: readonly WrittenFile[]): string[] {
  return files.map(
    (file) => `  ${file.path}${file.mode === 0o600 ? " (mode 0600: holds the private key)" : ""}`,
  );
}
