import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort, startOnFreePorts } from "./loopback-port.ts";
import { CA_EXTENSIONS, newP256Certificate } from "./openssl-test-pki.ts";

const PEBBLE = "/usr/bin/pebble";
const CHALLTESTSRV = "/usr/bin/pebble-challtestsrv";

/** The EAB keys of Pebble's example configuration (base64url HMAC keys). */
export const PEBBLE_EAB_KEYS = {
  "kid-1": "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W",
  "kid-2": "b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH",
} as const;

export interface PebbleOptions {
  /**
   * Extra environment for Pebble, e.g. PEBBLE_WFE_NONCEREJECT, PEBBLE_AUTHZREUSE (0 unless
   * given). PEBBLE_VA_NOSLEEP=1 is always set.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Require External Account Binding with the kid-1/kid-2 keys. */
  readonly externalAccountBinding?: boolean;
  /** Port Pebble connects to for http-01 validation; a free one when left out. */
  readonly httpPort?: number;
  /** Names Pebble refuses to issue for (rejectedIdentifier). */
  readonly domainBlocklist?: readonly string[];
}

export interface PebbleHandle {
  readonly directoryUrl: string;
  /** Root of Pebble's HTTPS certificate (not of the certificates it issues). */
  readonly httpsTrustPem: string;
  /** Pebble's management API: /roots/0, /intermediates/0, /cert-status-by-serial/<hex>. */
  readonly managementUrl: string;
  /** pebble-challtestsrv's management API: /set-txt, /clear-txt, /set-cname, … */
  readonly challtestsrvUrl: string;
  /** "127.0.0.1:<port>" of the mock DNS server Pebble resolves through. */
  readonly dnsAddress: string;
  readonly httpPort: number;
  readonly eabKeys: typeof PEBBLE_EAB_KEYS | undefined;
  /** The ACME directory: resource name → URL. */
  directory(): Promise<Record<string, unknown>>;
  /** GET on the management API, trusting Pebble's HTTPS root. */
  management(path: string): Promise<{ status: number; body: string }>;
  /** The root Pebble issues under in this run (it makes a new one each start). */
  issuingRootPem(): Promise<string>;
  /** SIGKILLs Pebble (not challtestsrv), as a CA that goes away mid-order. */
  killPebble(): Promise<void>;
  /** A new Pebble on the same ports: it has forgotten every account, order and root. */
  restartPebble(): Promise<void>;
  stop(): Promise<void>;
}

/** A throwaway root and a 127.0.0.1/localhost server certificate under it, for Pebble's HTTPS. */
async function makeTlsMaterial(dir: string) {
  const root = await newP256Certificate(dir, "root", {
    subject: "/CN=certflow test Pebble HTTPS root",
    extensions: CA_EXTENSIONS(),
  });
  const server = await newP256Certificate(dir, "cert", {
    subject: "/CN=localhost",
    issuer: "root",
    extensions: [
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-addext",
      "extendedKeyUsage=serverAuth",
    ],
  });
  return { certificate: server.certificatePath, privateKey: server.keyPath, rootPem: root.pem };
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: 2_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout on ${url}`)));
    req.on("error", reject);
    req.end();
  });
}

interface Spawned {
  readonly process: ChildProcess;
  output(): string;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv): Spawned {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return { process: child, output: () => output };
}

async function waitUntil(what: string, spawned: Spawned, ready: () => Promise<boolean>) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (spawned.process.exitCode !== null) {
      throw new Error(`${what} exited (${spawned.process.exitCode}):\n${spawned.output()}`);
    }
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not become ready:\n${spawned.output()}`);
}

async function stopProcess(spawned: Spawned) {
  const child = spawned.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

/** As startPebbleOnce, again on new ports if one was taken before Pebble bound it. */
export function startPebble(options: PebbleOptions = {}): Promise<PebbleHandle> {
  return startOnFreePorts(() => startPebbleOnce(options));
}

/**
 * Pebble and pebble-challtestsrv on loopback ports, in a temp dir removed by stop(). Pebble
 * resolves every name through challtestsrv, which answers A queries with 127.0.0.1, so http-01
 * validation reaches whatever listens on 127.0.0.1:<httpPort>.
 */
async function startPebbleOnce(options: PebbleOptions): Promise<PebbleHandle> {
  const dir = await mkdtemp(join(tmpdir(), "certflow-pebble-"));
  const started: Spawned[] = [];
  try {
    const tls = await makeTlsMaterial(dir);
    const [dnsPort, challtestsrvPort, acmePort, managementPort, tlsPort] = await Promise.all([
      freeLoopbackPort(),
      freeLoopbackPort(),
      freeLoopbackPort(),
      freeLoopbackPort(),
      freeLoopbackPort(),
    ]);
    const httpPort = options.httpPort ?? (await freeLoopbackPort());
    const dnsAddress = `127.0.0.1:${dnsPort}`;
    const challtestsrvUrl = `http://127.0.0.1:${challtestsrvPort}`;

    const challtestsrv = start(
      CHALLTESTSRV,
      [
        "-defaultIPv6",
        "",
        "-http01",
        "",
        "-https01",
        "",
        "-tlsalpn01",
        "",
        "-dns01",
        dnsAddress,
        "-management",
        `127.0.0.1:${challtestsrvPort}`,
      ],
      { PATH: process.env.PATH },
    );
    started.push(challtestsrv);
    await waitUntil("pebble-challtestsrv", challtestsrv, async () => {
      const response = await fetch(`${challtestsrvUrl}/clear-txt`, {
        method: "POST",
        body: JSON.stringify({ host: "ready.invalid." }),
      });
      return response.ok;
    });

    const eab = options.externalAccountBinding === true;
    const configPath = join(dir, "pebble-config.json");
    await writeFile(
      configPath,
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${acmePort}`,
          managementListenAddress: `127.0.0.1:${managementPort}`,
          certificate: tls.certificate,
          privateKey: tls.privateKey,
          httpPort,
          tlsPort,
          ocspResponderURL: "",
          externalAccountBindingRequired: eab,
          ...(eab ? { externalAccountMACKeys: PEBBLE_EAB_KEYS } : {}),
          ...(options.domainBlocklist ? { domainBlocklist: options.domainBlocklist } : {}),
        },
      }),
    );
    const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
    const managementUrl = `https://127.0.0.1:${managementPort}`;
    const startCa = async () => {
      const spawned = start(PEBBLE, ["-config", configPath, "-dnsserver", dnsAddress], {
        PATH: process.env.PATH,
        PEBBLE_VA_NOSLEEP: "1",
        // Pebble reuses valid authorizations half of the time by default; tests ask for it.
        PEBBLE_AUTHZREUSE: "0",
        ...options.env,
      });
      started.push(spawned);
      await waitUntil(
        "pebble",
        spawned,
        async () => (await httpsGet(directoryUrl, tls.rootPem)).status === 200,
      );
      return spawned;
    };
    let pebble = await startCa();

    const management = (path: string) => httpsGet(`${managementUrl}${path}`, tls.rootPem);
    let stopping: Promise<void> | undefined;
    return {
      directoryUrl,
      httpsTrustPem: tls.rootPem,
      managementUrl,
      challtestsrvUrl,
      dnsAddress,
      httpPort,
      eabKeys: eab ? PEBBLE_EAB_KEYS : undefined,
      management,
      async directory() {
        return JSON.parse((await httpsGet(directoryUrl, tls.rootPem)).body) as Record<
          string,
          unknown
        >;
      },
      async issuingRootPem() {
        const { status, body } = await management("/roots/0");
        if (status !== 200) throw new Error(`Pebble /roots/0 answered ${status}`);
        return body;
      },
      killPebble: () => stopProcess(pebble),
      async restartPebble() {
        await stopProcess(pebble);
        pebble = await startCa();
      },
      stop() {
        stopping ??= (async () => {
          await Promise.all(started.map(stopProcess));
          await rm(dir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  } catch (error) {
    await Promise.all(started.map(stopProcess));
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
