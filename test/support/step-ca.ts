import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freeLoopbackPort, startOnFreePorts } from "./loopback-port.ts";
import { CA_EXTENSIONS, newP256Certificate } from "./openssl-test-pki.ts";

const run = promisify(execFile);

const HERE = dirname(fileURLToPath(import.meta.url));
const MAIN_GO = join(HERE, "step-ca", "main.go");
const REPOSITORY = resolve(HERE, "..", "..");
/** Built binaries, one per version of main.go, and Go's build cache (kept between runs). */
const CACHE = join(REPOSITORY, "node_modules", ".cache", "certflow-step-ca");
/** Debian's library sources of step-ca (golang-github-smallstep-certificates-dev). */
const GOCODE = "/usr/share/gocode";
const SMALLSTEP_SOURCES = join(GOCODE, "src", "github.com", "smallstep", "certificates", "ca");
const DEBIAN_PACKAGES = "golang-go golang-github-smallstep-certificates-dev";
/** The ACME provisioner's name: the directory is served at /acme/<name>/directory. */
const PROVISIONER = "acme";

export interface StepCaOptions {
  /**
   * "127.0.0.1:PORT" of the DNS server step-ca resolves every name through (A records for
   * http-01, TXT records for dns-01).
   */
  readonly resolver: string;
}

export interface StepCaHandle {
  readonly directoryUrl: string;
  /** Root of step-ca's HTTPS certificate (its own intermediate issues that certificate). */
  readonly httpsTrustPem: string;
  /** The root the certificates step-ca issues chain up to, for `openssl verify`. */
  readonly issuingRootPem: string;
  /** The intermediate that signs what step-ca issues. */
  readonly intermediatePem: string;
  /** step-ca's log so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

let building: Promise<string> | undefined;

/**
 * The step-ca binary built from test/support/step-ca/main.go, built once per version of main.go
 * into node_modules/.cache (about a minute the first time, then nothing). Needs Debian's
 * golang-go and golang-github-smallstep-certificates-dev.
 */
export function stepCaBinary(): Promise<string> {
  building ??= buildStepCa().catch((error: unknown) => {
    building = undefined;
    throw error;
  });
  return building;
}

async function buildStepCa(): Promise<string> {
  const source = await readFile(MAIN_GO);
  const version = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const binary = join(CACHE, `step-ca-${version}`);
  if (await exists(binary)) return binary;

  const go = await run("go", ["version"]).catch(() => undefined);
  const sources = await exists(SMALLSTEP_SOURCES);
  if (go === undefined || !sources) {
    const missing = [go === undefined ? "the go command" : "", sources ? "" : SMALLSTEP_SOURCES]
      .filter(Boolean)
      .join(" and ");
    throw new Error(
      `step-ca cannot be built, missing ${missing}. Install Debian's packages with ` +
        `\`apt-get install --no-install-recommends ${DEBIAN_PACKAGES}\` (.ci/run does).`,
    );
  }

  await mkdir(CACHE, { recursive: true });
  // Go's build cache (about 200 MB) lives only for the build: the binary is what is kept.
  const work = await mkdtemp(join(tmpdir(), "certflow-step-ca-build-"));
  // Written beside the binary and renamed, so a concurrent run never starts a half-written file.
  const partial = `${binary}.${process.pid}.partial`;
  try {
    await run("go", ["build", "-trimpath", "-o", partial, MAIN_GO], {
      cwd: dirname(MAIN_GO),
      maxBuffer: 16 * 1024 * 1024,
      env: {
        PATH: process.env.PATH,
        HOME: work,
        GO111MODULE: "off",
        GOPATH: `${join(work, "gopath")}:${GOCODE}`,
        GOCACHE: join(work, "go-build"),
        GOFLAGS: "",
        // Pure Go: no C compiler needed (badger's zstd falls back to a Go implementation).
        CGO_ENABLED: "0",
        GOPROXY: "off",
      },
    });
    await rename(partial, binary);
  } catch (error) {
    await rm(partial, { force: true });
    const { stderr } = error as { stderr?: string };
    throw new Error(`building step-ca from ${MAIN_GO} failed:\n${stderr ?? String(error)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  // Binaries built from earlier versions of main.go are of no more use.
  for (const name of await readdir(CACHE)) {
    if (/^step-ca-[0-9a-f]{16}$/.test(name) && join(CACHE, name) !== binary) {
      await rm(join(CACHE, name), { force: true });
    }
  }
  return binary;
}

/** Root and intermediate (P-256) made with openssl: step-ca's PKI, for its HTTPS and issuing. */
async function makePki(dir: string) {
  const root = await newP256Certificate(dir, "root", {
    subject: "/CN=certflow test step-ca root",
    extensions: CA_EXTENSIONS(),
  });
  const intermediate = await newP256Certificate(dir, "intermediate", {
    subject: "/CN=certflow test step-ca intermediate",
    issuer: "root",
    extensions: CA_EXTENSIONS(0),
  });
  await rm(root.keyPath);
  return {
    rootPath: root.certificatePath,
    rootPem: root.pem,
    intermediatePath: intermediate.certificatePath,
    intermediatePem: intermediate.pem,
    intermediateKeyPath: intermediate.keyPath,
  };
}

function httpsStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { ca, timeout: 2_000 }, (response) => {
      response.resume();
      response.on("end", () => resolvePromise(response.statusCode ?? 0));
      response.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout on ${url}`)));
    req.on("error", reject);
    req.end();
  });
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

/** As startStepCaOnce, again on a new port if one was taken before step-ca bound it. */
export async function startStepCa(options: StepCaOptions): Promise<StepCaHandle> {
  const binary = await stepCaBinary();
  return startOnFreePorts(() => startStepCaOnce(binary, options));
}

/**
 * step-ca on 127.0.0.1 with a fresh PKI, an ACME provisioner and a bbolt database in a temp
 * dir removed by stop(). It validates http-01 on port 80 of the address the resolver gives.
 */
async function startStepCaOnce(binary: string, options: StepCaOptions): Promise<StepCaHandle> {
  const dir = await mkdtemp(join(tmpdir(), "certflow-step-ca-"));
  let child: ChildProcess | undefined;
  try {
    const pki = await makePki(dir);
    const port = await freeLoopbackPort();
    const configPath = join(dir, "ca.json");
    await writeFile(
      configPath,
      JSON.stringify({
        root: pki.rootPath,
        crt: pki.intermediatePath,
        key: pki.intermediateKeyPath,
        address: `127.0.0.1:${port}`,
        insecureAddress: "",
        dnsNames: ["127.0.0.1", "localhost"],
        logger: { format: "text" },
        db: { type: "bbolt", dataSource: join(dir, "db") },
        authority: { provisioners: [{ type: "ACME", name: PROVISIONER }] },
        tls: {
          cipherSuites: [
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          ],
          minVersion: 1.2,
          maxVersion: 1.3,
          renegotiation: false,
        },
      }),
    );

    const spawned = spawn(binary, [configPath], {
      env: { PATH: process.env.PATH, HOME: dir, STEPCA_TEST_RESOLVER: options.resolver },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = spawned;
    let output = "";
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-50_000);
    };
    spawned.stdout?.on("data", collect);
    spawned.stderr?.on("data", collect);

    const directoryUrl = `https://127.0.0.1:${port}/acme/${PROVISIONER}/directory`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (spawned.exitCode !== null) {
        throw new Error(`step-ca exited (${spawned.exitCode}):\n${output}`);
      }
      const status = await httpsStatus(directoryUrl, pki.rootPem).catch(() => 0);
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`step-ca did not become ready:\n${output}`);
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
    }

    let stopping: Promise<void> | undefined;
    return {
      directoryUrl,
      httpsTrustPem: pki.rootPem,
      issuingRootPem: pki.rootPem,
      intermediatePem: pki.intermediatePem,
      output: () => output,
      stop() {
        stopping ??= (async () => {
          await stopProcess(spawned);
          await rm(dir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (child !== undefined) await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
