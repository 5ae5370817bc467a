import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTlsInstallationChecker } from "../../../../functions/adapters/tls/tls-installation-checker.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord } from "../../../../functions/domain/order-record.ts";
import { checkInstallation } from "../../../../functions/orders/installation-checks.ts";
import { buildDeliveryBundle } from "../../../../functions/pki/delivery-bundles.ts";
import { exportPrivateKeyPkcs8 } from "../../../../functions/pki/key-pairs.ts";
import {
  type CustomerDnsServer,
  startCustomerDnsServer,
} from "../../../../infra/local/customer-dns-server.ts";
import { startNginx } from "../../../e2e/support/nginx-server.ts";
import {
  factsOf,
  seedIssuedOrder,
  testHierarchy,
  testLeaf,
  WHILE_VALID,
} from "../../../support/issued-order.ts";
import { routeTestDependencies } from "../../../support/route-calls.ts";
import { closedTcpPort, startMuteTcpServer } from "../dcv/support/silent-servers.ts";

const SITE = "shop.certflow.test";
const NAMES = [SITE, `*.${SITE}`];
const work = mkdtempSync(join(tmpdir(), "certflow-installation-"));

let dns: CustomerDnsServer;
/** Files of each bundle the customer may install: the earlier and the current certificate. */
let files: { old: BundleFiles; current: BundleFiles };
let deps: ReturnType<typeof routeTestDependencies>;
/** The order holds the current certificate; its lineage lists the earlier one. */
let renewed: OrderRecord;
/** The same certificate in an order that knows of no earlier one. */
let fresh: OrderRecord;

interface BundleFiles {
  readonly fullchain: string;
  readonly leafOnly: string;
  readonly key: string;
}

/** Writes the nginx and apache downloads of a certificate as a customer unpacks them. */
async function unpackBundles(
  name: string,
  input: { certificatePem: string; chainPems: string[]; pkcs8: Uint8Array },
): Promise<BundleFiles> {
  const directory = join(work, name);
  mkdirSync(directory, { recursive: true });
  const downloads = {
    commonName: SITE,
    certificatePem: input.certificatePem,
    chainPems: input.chainPems,
    privateKeyPkcs8: input.pkcs8,
  };
  const written: Record<string, string> = {};
  for (const format of ["nginx", "apache"] as const) {
    const bundle = await buildDeliveryBundle(format, downloads);
    for (const [file, content] of Object.entries(unzipSync(bundle.body))) {
      writeFileSync(join(directory, file), content, { mode: 0o600 });
      written[file] = join(directory, file);
    }
  }
  const pick = (suffix: string) => {
    const found = Object.keys(written).find((file) => file.endsWith(suffix));
    if (found === undefined) throw new Error(`no ${suffix} in the downloads`);
    return written[found] ?? "";
  };
  // nginx: certificate and chain in one file; apache: the certificate alone in its .crt.
  return { fullchain: pick(".fullchain.pem"), leafOnly: pick(`${SITE}.crt`), key: pick(".key") };
}

beforeAll(async () => {
  dns = await startCustomerDnsServer({ host: "127.0.0.1", port: 0 });
  dns.setA(SITE, "127.0.0.1");
  dns.setA("private.certflow.test", "10.0.0.7");
  const { intermediate } = await testHierarchy();
  const old = await testLeaf(intermediate, NAMES);
  const current = await testLeaf(intermediate, NAMES);
  const chainPems = [intermediate.certificatePem];
  files = {
    old: await unpackBundles("old", {
      certificatePem: old.certificatePem,
      chainPems,
      pkcs8: await exportPrivateKeyPkcs8(old.keys.privateKey),
    }),
    current: await unpackBundles("current", {
      certificatePem: current.certificatePem,
      chainPems,
      pkcs8: await exportPrivateKeyPkcs8(current.keys.privateKey),
    }),
  };
  deps = routeTestDependencies(fixedClock(WHILE_VALID));
  const lineage = [current, old].map(({ certificatePem }) => {
    const facts = factsOf(certificatePem);
    return {
      serialNumber: facts.serialNumber,
      notBefore: facts.notBefore,
      notAfter: facts.notAfter,
      sha256Fingerprint: facts.sha256Fingerprint,
      heldBy: "ord_renewed1",
    };
  });
  renewed = await seedIssuedOrder(deps, {
    orderId: "ord_renewed1",
    names: NAMES,
    certificatePem: current.certificatePem,
    chainPems,
    overrides: { certificates: lineage },
  });
  fresh = await seedIssuedOrder(deps, {
    orderId: "ord_fresh1",
    names: NAMES,
    certificatePem: current.certificatePem,
    chainPems,
  });
});

afterAll(async () => {
  await dns?.close();
});

/** Runs the check of `order` against what nginx serves on `port`. */
function checkOn(port: number, order: OrderRecord, timeBoundMs = 5_000) {
  const installationChecker = createTlsInstallationChecker({
    resolver: dns.address,
    port,
    allowLoopback: true,
  });
  return checkInstallation({ ...deps, installationChecker }, order, {
    trigger: "api",
    timeBoundMs,
  });
}

/** nginx serving `certificateFile` with `keyFile` while `run` runs. */
async function whileServing<T>(
  name: string,
  certificateFile: string,
  keyFile: string,
  run: (port: number) => Promise<T>,
): Promise<T> {
  const directory = join(work, `nginx-${name}`);
  mkdirSync(directory, { recursive: true });
  const nginx = await startNginx({ directory, serverName: SITE, certificateFile, keyFile });
  try {
    return await run(nginx.port);
  } finally {
    await nginx.stop();
  }
}

const findings = (record: Awaited<ReturnType<typeof checkOn>>) =>
  record.results.map((result) => [result.domain, result.host, result.finding]);

describe("the installation check against nginx", () => {
  it("finds the earlier certificate (OLD_CERTIFICATE, or OTHER_CERTIFICATE where the order knows no earlier one)", async () => {
    await whileServing("old", files.old.fullchain, files.old.key, async (port) => {
      const record = await checkOn(port, renewed);
      expect(findings(record)).toEqual([
        [SITE, SITE, "OLD_CERTIFICATE"],
        [`*.${SITE}`, SITE, "OLD_CERTIFICATE"],
      ]);
      const [first] = record.results;
      expect(first?.servedSerial).not.toBe(renewed.certificate?.serialNumber);
      expect(first?.servedChain?.map((entry) => entry.subject)).toEqual([
        `CN=${SITE}`,
        "O=certflow tests, CN=Installation Test Issuing CA",
      ]);

      const unknown = await checkOn(port, fresh);
      expect(findings(unknown).map(([, , finding]) => finding)).toEqual([
        "OTHER_CERTIFICATE",
        "OTHER_CERTIFICATE",
      ]);
    });
  });

  it("finds the current certificate with its chain (OK)", async () => {
    await whileServing("current", files.current.fullchain, files.current.key, async (port) => {
      const record = await checkOn(port, renewed);
      expect(findings(record)).toEqual([
        [SITE, SITE, "OK"],
        [`*.${SITE}`, SITE, "OK"],
      ]);
      expect(record.results[0]?.servedSerial).toBe(renewed.certificate?.serialNumber);
      expect(record.results[0]?.servedChain).toHaveLength(2);
    });
  });

  it("finds the current certificate without its intermediate (CHAIN_INCOMPLETE)", async () => {
    await whileServing("leaf-only", files.current.leafOnly, files.current.key, async (port) => {
      const record = await checkOn(port, renewed);
      expect(findings(record)).toEqual([
        [SITE, SITE, "CHAIN_INCOMPLETE"],
        [`*.${SITE}`, SITE, "CHAIN_INCOMPLETE"],
      ]);
      expect(record.results[0]?.servedChain).toHaveLength(1);
      expect(record.results[0]?.detail).toContain("without its chain");
    });
  });

  it("finds nothing listening (CONNECTION_REFUSED)", async () => {
    const record = await checkOn(await closedTcpPort(), renewed);
    expect(findings(record).map(([, , finding]) => finding)).toEqual([
      "CONNECTION_REFUSED",
      "CONNECTION_REFUSED",
    ]);
    expect(record.results[0]?.detail).toMatch(/^Connection refused by shop\.certflow\.test/);
  });

  it("finds no answer (TIMEOUT) and no TLS (TLS_HANDSHAKE_FAILED)", async () => {
    const mute = await startMuteTcpServer();
    try {
      const started = Date.now();
      const record = await checkOn(mute.port, renewed, 1_000);
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(record.results[0]?.finding).toBe("TIMEOUT");
    } finally {
      await mute.close();
    }
    // A web server without TLS on the port: it answers the ClientHello with plain HTTP.
    const plain: Server = createServer((socket) => {
      socket.on("error", () => undefined);
      socket.write("HTTP/1.1 400 Bad Request\r\n\r\n", () => socket.destroy());
    });
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    try {
      const address = plain.address();
      if (address === null || typeof address === "string") throw new Error("no port");
      const record = await checkOn(address.port, renewed);
      expect(record.results[0]?.finding).toBe("TLS_HANDSHAKE_FAILED");
    } finally {
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });

  it("connects to no private address, nor to loopback where loopback is not allowed", async () => {
    const port = await closedTcpPort();
    const allowing = createTlsInstallationChecker({
      resolver: dns.address,
      port,
      allowLoopback: true,
    });
    const refusing = createTlsInstallationChecker({ resolver: dns.address, port });

    const privateName = await allowing.observe("private.certflow.test", { timeoutMs: 2_000 });
    const loopback = await refusing.observe(SITE, { timeoutMs: 2_000 });
    const missing = await allowing.observe("missing.certflow.test", { timeoutMs: 2_000 });

    expect(privateName).toMatchObject({ ok: false, cause: "ADDRESS_NOT_PUBLIC" });
    expect(privateName.ok ? "" : privateName.detail).not.toContain("10.0.0.7");
    expect(loopback).toMatchObject({ ok: false, cause: "ADDRESS_NOT_PUBLIC" });
    expect(missing).toMatchObject({ ok: false, cause: "NXDOMAIN" });
  });
});
