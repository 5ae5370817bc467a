import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createDynamoDbOrderStore } from "../../functions/adapters/aws/dynamodb-order-store.ts";
import { createS3BlobStore } from "../../functions/adapters/aws/s3-blob-store.ts";
import { createSesMailer } from "../../functions/adapters/aws/ses-mailer.ts";
import { createNetworkDcvChecker } from "../../functions/adapters/dcv/network-dcv-checker.ts";
import type { ApiDependencies } from "../../functions/api/api-dependencies.ts";
import type { Clock } from "../../functions/domain/clock.ts";
import { fakeLambdaContext } from "../../functions/handlers/fake-lambda-context.ts";
import { createStepHandler } from "../../functions/handlers/step-handler.ts";
import type { DcvChecker } from "../../functions/ports/dcv-checker.ts";
import { CertificateVault } from "../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../functions/vault/key-passphrases.ts";
import { isWorkflowStepName } from "../../functions/workflow/step-inputs.ts";
import { runWorkflowStep } from "../../functions/workflow/step-registry.ts";
import type { WorkflowDependencies } from "../../functions/workflow/workflow-dependencies.ts";
import type { WorkflowSettings } from "../../functions/workflow/workflow-settings.ts";
import { startLocalEmulators } from "./emulators.ts";
import { createLocalApiServer } from "./local-api-server.ts";
import { localCertificateAuthority } from "./local-certificate-authority.ts";
import type { LocalSettings } from "./local-settings.ts";
import { createLocalWorkflowEngine, type TimeMode } from "./local-workflow-engine.ts";
import {
  readOrderDefinition,
  retryIntervalOverrides,
  taskStateBindings,
} from "./order-definition.ts";
import { resumeInterruptedOrders } from "./resume-orders.ts";

export interface LocalHostOptions {
  /** Start from an empty data directory (tests). */
  readonly fresh?: boolean;
  readonly clock?: Clock;
  readonly dcv?: DcvChecker;
  readonly log?: (line: string) => void;
  /** Simulated time for benchmarks: waits move the clock instead of sleeping. */
  readonly timeMode?: TimeMode;
}

export type LocalHost = Awaited<ReturnType<typeof startLocalHost>>;

const systemClock: Clock = { now: () => new Date() };

function masterSecret(dataDir: string): Uint8Array {
  const path = join(dataDir, "master.key");
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path, randomBytes(32).toString("base64"), { mode: 0o600 });
  }
  return Buffer.from(readFileSync(path, "utf8").trim(), "base64");
}

/**
 * The local composition: emulators for DynamoDB, S3 and SES, the embedded CA, the same
 * state-machine definition on aws-local-stepfunctions, and the REST API on 127.0.0.1.
 */
export async function startLocalHost(settings: LocalSettings, options: LocalHostOptions = {}) {
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? systemClock;
  const emulators = await startLocalEmulators({ dataDir: settings.dataDir, fresh: options.fresh });
  const store = createDynamoDbOrderStore({
    client: emulators.dynamoDb.client,
    tableName: emulators.tableName,
    clock,
  });
  const vault = new CertificateVault(
    createS3BlobStore({ client: emulators.s3.client, bucket: emulators.bucketName }),
    derivedKeyPassphrases(masterSecret(settings.dataDir)),
  );
  const mailer = createSesMailer({ client: emulators.ses.client, from: settings.mailFrom });
  const dcv =
    options.dcv ??
    createNetworkDcvChecker({
      resolver: settings.dnsResolver,
      httpPort: settings.httpValidationPort,
    });
  const ca = localCertificateAuthority(settings, { vault, dcv, clock });
  const workflowSettings: WorkflowSettings = {
    validationTimeoutSeconds: settings.validationTimeoutSeconds,
    checkMinSeconds: settings.checkMinSeconds,
    checkMaxSeconds: settings.checkMaxSeconds,
    caPollMinSeconds: 1,
    caPollMaxSeconds: 30,
    caDecisionTimeoutSeconds: 3_600,
    publicApiUrl: settings.publicUrl,
  };
  const workflowDependencies: WorkflowDependencies = {
    clock,
    store,
    vault,
    mailer,
    ca,
    dcv,
    settings: workflowSettings,
  };

  const definition = readOrderDefinition();
  const taskHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const binding of taskStateBindings(definition)) {
    const stepName = binding.functionName;
    if (!isWorkflowStepName(stepName)) {
      throw new Error(`State ${binding.stateName} calls ${stepName}, which has no step.`);
    }
    const handler = createStepHandler(
      stepName,
      (deps, input) => runWorkflowStep(deps, stepName, input),
      () => workflowDependencies,
    );
    taskHandlers[binding.stateName] = (input) =>
      handler(input, fakeLambdaContext(binding.functionName)) as Promise<unknown>;
  }
  const engine = createLocalWorkflowEngine({
    definition,
    taskHandlers,
    dataDir: join(settings.dataDir, "executions"),
    timeMode: options.timeMode,
    retryIntervalOverrides:
      settings.retryIntervalMs === undefined
        ? undefined
        : retryIntervalOverrides(definition, settings.retryIntervalMs),
  });

  const apiDependencies: ApiDependencies = {
    clock,
    store,
    vault,
    workflow: engine,
    dcv,
    ca,
    settings: workflowSettings,
    newOrderId: () => `ord_${randomBytes(10).toString("hex")}`,
    serviceInfo: {
      dnsResolver: settings.dnsResolver,
      httpValidationPort: settings.httpValidationPort,
      validationTimeoutSeconds: settings.validationTimeoutSeconds,
    },
    logError: (error) =>
      log(
        `unexpected error: ${error instanceof Error ? `${error.name}: ${error.message}` : "unknown"}`,
      ),
  };
  const server = createLocalApiServer(apiDependencies, settings.tokens);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${settings.host}:${port}`;
  const resumed = await resumeInterruptedOrders({ store, engine, clock, log });

  return {
    url,
    port,
    engine,
    emulators,
    store,
    vault,
    ca,
    resumed,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await engine.close();
      await emulators.stop();
    },
  };
}
