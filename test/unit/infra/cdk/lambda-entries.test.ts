import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { loadServiceCatalog } from "../../../../functions/composition/service-catalog.ts";
import { fakeLambdaContext } from "../../../../functions/lambda/fake-lambda-context.ts";
import {
  BUNDLE_MAIN,
  buildLambdaBundle,
  CRYPTO_ON_FIRST_USE,
  PROJECT_ROOT,
} from "../../../../infra/cdk/lambda-bundling.ts";
import {
  type LambdaEntry,
  lambdaEntrySource,
  writeLambdaEntry,
} from "../../../../infra/cdk/lambda-entries.ts";

const catalog = await loadServiceCatalog();
const outDir = mkdtempSync(join(PROJECT_ROOT, "node_modules", ".certflow-bundle-test-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function stepEntry(state: string): LambdaEntry {
  const declared = catalog.steps.find(({ declaration }) => declaration.state === state);
  if (declared === undefined) throw new Error(`no step ${state}`);
  return { kind: "step", name: state, declared };
}

function routeEntry(name: string): LambdaEntry {
  const declared = catalog.routes.find(({ declaration }) => declaration.name === name);
  if (declared === undefined) throw new Error(`no route ${name}`);
  return { kind: "route", name, declared };
}

function consumerEntry(name: string): LambdaEntry {
  const declared = catalog.consumers.find(({ declaration }) => declaration.name === name);
  if (declared === undefined) throw new Error(`no consumer ${name}`);
  return { kind: "consumer", name, declared };
}

/** A function's bundle: its main file, and the text of all its files (chunks included). */
async function bundle(entry: LambdaEntry, caKind: "embedded" | "acme" = "embedded") {
  const dir = join(outDir, `${entry.name}-${caKind}`);
  buildLambdaBundle(writeLambdaEntry(entry, caKind), dir);
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((file) => file.isFile())
    .map((file) => join(file.parentPath, file.name));
  return {
    outfile: join(dir, BUNDLE_MAIN),
    main: readFileSync(join(dir, BUNDLE_MAIN), "utf8"),
    text: files.map((file) => readFileSync(file, "utf8")).join("\n"),
  };
}

describe("Lambda entries", () => {
  it("import the declaration, its host, and the providers of exactly what its needs name", () => {
    const source = lambdaEntrySource(stepEntry("FinalizeWithCsr"), "acme");

    expect(source).toContain(
      'import { step } from "../../../functions/workflow/steps/finalize-with-csr.ts";',
    );
    expect(source).toContain("stepLambda(step, { store, vault, dcv, ca: { acme } })");
    expect(source).not.toContain("mailer");
    expect(source).not.toContain("embedded-ca");
    expect(lambdaEntrySource(routeEntry("GetServiceInfo"), "embedded")).toContain(
      "routeLambda(route, {})",
    );
  });

  it("give a handler reading the CA's directory the directory of the deployment's CA", () => {
    const acme = lambdaEntrySource(stepEntry("StoreCertificate"), "acme");
    const embedded = lambdaEntrySource(stepEntry("StoreCertificate"), "embedded");

    expect(acme).toContain(
      'import { acmeDirectory } from "../../../functions/lambda/providers/ca-directory.ts";',
    );
    expect(acme).toContain("caDirectory: { acme: acmeDirectory }");
    expect(embedded).toContain("caDirectory: { embedded: embeddedDirectory }");
    expect(embedded).not.toContain("acmeDirectory");
  });

  it("bundle the ACME CA's directory without the ACME library", async () => {
    const submit = await bundle(routeEntry("SubmitOrder"), "acme");

    expect(submit.text).toContain("renewalInfo");
    expect(submit.text).not.toContain("acme-client");
    expect(submit.text).not.toMatch(/axios/);
  }, 60_000);

  it("bundle a function with the SDK clients of its own resources only", async () => {
    const recordOrder = await bundle(stepEntry("RecordOrder"));
    const serviceInfo = await bundle(routeEntry("GetServiceInfo"));

    expect(recordOrder.text).toMatch(/from\s*"@aws-sdk\/client-dynamodb"/);
    expect(recordOrder.text).not.toMatch(/@aws-sdk\/client-(s3|sesv2|sfn|secrets-manager)/);
    expect(serviceInfo.text).not.toMatch(/@aws-sdk\//);
  }, 60_000);

  it("bundle a mailing step with the mail queue's SQS client, and only the mail sender with SES's", async () => {
    const issued = await bundle(stepEntry("SendIssuedMail"));
    const sender = await bundle(consumerEntry("SendMails"));

    expect(issued.text).toMatch(/@aws-sdk\/client-sqs/);
    expect(issued.text).not.toMatch(/@aws-sdk\/client-sesv2/);
    // SQS loads with the first mail (a dynamic import), not when the function starts.
    expect(issued.main).toMatch(/import\(\s*"@aws-sdk\/client-sqs"\s*\)/);
    expect(issued.main).not.toMatch(/from\s*"@aws-sdk\/client-sqs"/);
    expect(sender.text).toMatch(/@aws-sdk\/client-sesv2/);
    expect(sender.text).not.toMatch(/@aws-sdk\/client-sqs/);
    // The sender starts no SDK client (SES loads with the first mail): nor node:crypto.
    expect(sender.main).not.toMatch(/from\s*"node:crypto"/);
    expect(issued.main).toMatch(/from\s*"node:crypto"/);
    expect(lambdaEntrySource(consumerEntry("SendMails"), "embedded")).toContain(
      "consumerLambda(consumer, { mailDelivery })",
    );
  }, 60_000);

  it("bundle a CA step with the deployment's CA adapter only", async () => {
    const embedded = await bundle(stepEntry("PlaceOrderWithCa"), "embedded");
    const acme = await bundle(stepEntry("PlaceOrderWithCa"), "acme");

    expect(embedded.text).not.toContain("acme-client");
    expect(acme.text).toContain("acme-client");
    for (const { text } of [embedded, acme]) expect(text.length).toBeLessThan(1_000_000);
    // Libraries loaded on first use sit in chunks of their own, not in the file that starts.
    expect(acme.main).not.toContain("acme-client");
    expect(acme.main.length).toBeLessThan(acme.text.length / 2);
  }, 60_000);

  it("run as Lambda runs them: a step checks its input, a route answers", async () => {
    const step = await bundle(stepEntry("RecordOrder"));
    const route = await bundle(routeEntry("GetServiceInfo"));
    vi.stubEnv("CERTFLOW_PUBLIC_API_URL", "https://api.example/prod");
    vi.stubEnv("CERTFLOW_TABLE_NAME", "orders");
    vi.stubEnv("AWS_REGION", "eu-west-1");
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
    try {
      const stepModule = (await import(pathToFileURL(step.outfile).href)) as {
        handler: (event: unknown, context: unknown) => Promise<unknown>;
      };
      const routeModule = (await import(pathToFileURL(route.outfile).href)) as {
        handler: (
          event: unknown,
          context: unknown,
        ) => Promise<{ statusCode: number; body: string }>;
      };

      const refused = stepModule.handler(
        { orderId: "not an id" },
        fakeLambdaContext("RecordOrder"),
      );
      const answer = await routeModule.handler(
        { httpMethod: "GET", path: "/v1/service-info", requestContext: {} },
        fakeLambdaContext("GetServiceInfo"),
      );

      await expect(refused).rejects.toThrow(/^RecordOrder: /);
      expect(answer.statusCode).toBe(200);
      // The route starts no AWS SDK client: node:crypto waits for its first call.
      expect(route.main).not.toMatch(/from\s*"node:crypto"/);
      expect(route.main).toContain('getBuiltinModule("node:crypto")');
      expect(step.main).toMatch(/from\s*"node:crypto"/);
      expect(JSON.parse(answer.body)).toMatchObject({ ca: "embedded", region: "eu-west-1" });
    } finally {
      vi.unstubAllEnvs();
    }
  }, 60_000);

  it("give functions without AWS resources a node:crypto that loads on its first call", async () => {
    const stub = (await import(pathToFileURL(`${PROJECT_ROOT}${CRYPTO_ON_FIRST_USE}`).href)) as {
      randomInt: (min: number, max: number) => number;
      randomBytes: (size: number) => Buffer;
    };

    const drawn = Array.from({ length: 50 }, () => stub.randomInt(0, 3));
    expect(new Set(drawn)).toEqual(new Set([0, 1, 2]));
    expect(stub.randomBytes(10)).toHaveLength(10);
    expect(stub.randomBytes(10).equals(stub.randomBytes(10))).toBe(false);
  });

  it("refuse to build with node:crypto's stand-in a function that reads a name it lacks", () => {
    const build = (fixture: string) => () =>
      buildLambdaBundle(`test/fixtures/crypto-stand-in/${fixture}`, join(outDir, fixture));

    expect(build("named-import.ts")).not.toThrow();
    expect(readFileSync(join(outDir, "named-import.ts", BUNDLE_MAIN), "utf8")).not.toMatch(
      /from\s*"node:crypto"/,
    );
    expect(build("namespace-member.ts")).toThrow(/"createHash" will always be undefined/);
    expect(build("require-call.ts")).toThrow(/takes node:crypto with require-call/);
  });
});
