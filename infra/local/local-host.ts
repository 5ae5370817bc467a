import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createDynamoDbOrderStore } from "../../functions/adapters/aws/dynamodb-order-store.ts";
import { createS3BlobStore } from "../../functions/adapters/aws/s3-blob-store.ts";
import { createSesMailer } from "../../functions/adapters/aws/ses-mailer.ts";
import { createNetworkDcvChecker } from "../../functions/adapters/dcv/network-dcv-checker.ts";
import { createTlsInstallationChecker } from "../../functions/adapters/tls/tls-installation-checker.ts";
import { compose, systemClock } from "../../functions/composition/composition.ts";
import { loadServiceCatalog } from "../../functions/composition/service-catalog.ts";
import type { Clock } from "../../functions/domain/clock.ts";
import { fakeLambdaContext } from "../../functions/lambda/fake-lambda-context.ts";
import { createStepHandler } from "../../functions/lambda/step-handler.ts";
import type { DcvChecker } from "../../functions/ports/dcv-checker.ts";
import type { InstallationChecker } from "../../functions/ports/installation-checker.ts";
import { isScheduledIn } from "../../functions/schedules/schedule-declaration.ts";
import { CertificateVault } from "../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../functions/vault/key-passphrases.ts";
import type { WorkflowSettings } from "../../functions/workflow/workflow-settings.ts";
import {
  readOrderDefinition,
  retryIntervalOverrides,
  taskStateBindings,
} from "../../statemachines/order-definition.ts";
import { keepingMailCopies } from "./captured-mails.ts";
import { localConsoleConfig } from "./console-files.ts";
import { startLocalEmulators } from "./emulators.ts";
import { createLocalApiServer } from "./local-api-server.ts";
import { withLocalConditionalWrites } from "./local-blob-store.ts";
import { localCaDirectories, localCertificateAuthorities } from "./local-certificate-authority.ts";
import { createIdTokenVerifier } from "./local-id-tokens.ts";
import { createLocalOrderEvents } from "./local-order-events.ts";
import { startLocalSchedules } from "./local-schedules.ts";
import type { LocalSettings } from "./local-settings.ts";
import {
  createLocalWorkflowEngine,
  deferredEngine,
  type LocalWorkflowEngine,
  type TimeMode,
} from "./local-workflow-engine.ts";
import { printingOrderEvents } from "./order-event-lines.ts";
import { scanOrdersInFlight } from "./orders-in-flight.ts";
import { resumeOrdersInFlight, sendMailsOfStoppedExecutions } from "./resume-orders.ts";

export interface LocalHostOptions {
  /** Start from an empty data directory (tests). */
  readonly fresh?: boolean;
  readonly clock?: Clock;
  readonly dcv?: DcvChecker;
  readonly installationChecker?: InstallationChecker;
  readonly log?: (line: string) => void;
  /** With the emulators on a thread: told why when the thread stops on its own. */
  readonly onEmulatorsLost?: (reason: string) => void;
  /** Simulated time for benchmarks: waits move the clock instead of sleeping. */
  readonly timeMode?: TimeMode;
  /** The emulators' servers on a thread of their own (`npm start`; see emulator-thread.ts). */
  readonly emulatorsOnThread?: boolean;
}

export type LocalHost = Awaited<ReturnType<typeof startLocalHost>>;

function masterSecret(dataDir: string): Uint8Array {
  const path = join(dataDir, "master.key");
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path, randomBytes(32).toString("base64"), { mode: 0o600 });
  }
  return Buffer.from(readFileSync(path, "utf8").trim(), "base64");
}

function workflowSettingsOf(settings: LocalSettings): WorkflowSettings {
  return {
    validationTimeoutSeconds: settings.validationTimeoutSeconds,
    checkCadence: settings.checkCadence,
    caPollMinSeconds: 1,
    caPollMaxSeconds: 30,
    caDecisionTimeoutSeconds: settings.caDecisionTimeoutSeconds,
    publicApiUrl: settings.publicUrl,
    submissionsPerMinute: settings.submissionsPerMinute,
    customerCheckIntervalSeconds: settings.customerCheckIntervalSeconds,
    approvalResendIntervalSeconds: settings.approvalResendIntervalSeconds,
    reviewTimeoutSeconds: settings.reviewTimeoutSeconds,
    installationGraceSeconds: settings.installationGraceSeconds,
    webhookRetryDelaysSeconds: settings.webhookRetryDelaysSeconds,
  };
}

/**
 * The local host: emulators for DynamoDB, S3 and SES, the same state-machine definition on
 * aws-local-stepfunctions, and the REST API on 127.0.0.1. Every declared step and route runs
 * in this process with the dependencies its needs name, built by the same composition core as
 * on AWS.
 */
export async function startLocalHost(settings: LocalSettings, options: LocalHostOptions = {}) {
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? systemClock;
  const catalog = await loadServiceCatalog();
  const emulators = await startLocalEmulators({
    dataDir: settings.dataDir,
    fresh: options.fresh,
    onThread: options.emulatorsOnThread,
    onLost: options.onEmulatorsLost,
  });
  let engine: LocalWorkflowEngine | undefined;
  /** The URL the service answers at, once it listens (PORT=0 picks the port). */
  let listeningUrl: string | undefined;
  // Order events to webhooks and the events file; deliveries waiting on timers (see the file).
  const orderEvents = createLocalOrderEvents({
    dataDir: settings.dataDir,
    clock,
    dnsResolver: settings.dnsResolver,
    allowLoopback: settings.allowLoopbackChecks,
    logError: (error) =>
      log(
        `webhooks: ${error instanceof Error ? `${error.name}: ${error.message}` : "unknown error"}`,
      ),
  });
  const composition = compose(
    {
      caKind: settings.ca,
      settings: workflowSettingsOf(settings),
      clock,
      serviceInfo: {
        dnsResolver: settings.dnsResolver,
        dnsAuthoritativePort: settings.dnsAuthoritativePort,
        httpValidationPort: settings.httpValidationPort,
        installationCheckPort: settings.installationCheckPort,
        validationTimeoutSeconds: settings.validationTimeoutSeconds,
      },
      logError: (error) =>
        log(
          `unexpected error: ${error instanceof Error ? `${error.name}: ${error.message}` : "unknown"}`,
        ),
    },
    {
      store: () => {
        const store = createDynamoDbOrderStore({
          client: emulators.dynamoDb.client,
          tableName: emulators.tableName,
          clock,
        });
        const fed = orderEvents.feeding(store);
        return options.log === undefined ? fed : printingOrderEvents(fed, options.log);
      },
      vault: () =>
        new CertificateVault(
          withLocalConditionalWrites(
            createS3BlobStore({ client: emulators.s3.client, bucket: emulators.bucketName }),
            settings.dataDir,
          ),
          derivedKeyPassphrases(masterSecret(settings.dataDir)),
        ),
      mailer: () =>
        keepingMailCopies(
          createSesMailer({ client: emulators.ses.client, from: settings.mailFrom }),
          settings.dataDir,
          () => clock.now(),
        ),
      // Mail goes straight to the SES emulator here: the mail queue's sender is bound, never fed.
      mailDelivery: () => composition.resource("mailer"),
      dcv: () =>
        options.dcv ??
        createNetworkDcvChecker({
          resolver: settings.dnsResolver,
          authoritativePort: settings.dnsAuthoritativePort,
          httpPort: settings.httpValidationPort,
          allowLoopback: settings.allowLoopbackChecks,
        }),
      installationChecker: () =>
        options.installationChecker ??
        createTlsInstallationChecker({
          resolver: settings.dnsResolver,
          port: settings.installationCheckPort,
          allowLoopback: settings.allowLoopbackChecks,
        }),
      workflow: () =>
        deferredEngine(() => {
          if (engine === undefined) throw new Error("The workflow engine is not running yet.");
          return engine;
        }),
      ca: localCertificateAuthorities(settings, () => listeningUrl ?? settings.publicUrl),
      caDirectory: localCaDirectories(settings),
      ...orderEvents.providers,
    },
  );
  orderEvents.start(composition, catalog.consumers);

  const definition = readOrderDefinition();
  const steps = new Map(catalog.steps.map(({ declaration }) => [declaration.state, declaration]));
  const taskHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const { stateName } of taskStateBindings(definition)) {
    const step = steps.get(stateName);
    if (step === undefined) throw new Error(`No step declares the Task state ${stateName}.`);
    const handler = createStepHandler(step, composition);
    taskHandlers[stateName] = (input) => handler(input, fakeLambdaContext(stateName));
  }
  engine = createLocalWorkflowEngine({
    definition,
    taskHandlers,
    dataDir: join(settings.dataDir, "executions"),
    timeMode: options.timeMode,
    retryIntervalOverrides:
      settings.retryIntervalMs === undefined
        ? undefined
        : retryIntervalOverrides(definition, settings.retryIntervalMs),
  });

  // What a deployment does once before orders arrive (the embedded CA's hierarchy), on every
  // start here, as the CDK trigger does after every deploy: the tasks are idempotent.
  for (const { declaration } of catalog.deployTasks) await declaration.bind(composition)();
  const signIn = settings.consoleSignIn;
  const server = createLocalApiServer(composition, catalog.routes, settings.tokens, {
    consoleConfig: localConsoleConfig(signIn),
    idTokens: signIn === undefined ? undefined : createIdTokenVerifier(signIn),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${settings.host}:${port}`;
  listeningUrl = url;
  // The scheduled runs every deployment runs (the embedded CA's CRL refresh): daily on AWS,
  // here every CERTFLOW_SCHEDULE_INTERVAL_SECONDS from the start (PrepareCa ran just now).
  const alwaysScheduled = startLocalSchedules({
    schedules: catalog.schedules
      .map(({ declaration }) => declaration)
      .filter(
        (declaration) =>
          declaration.runs === "always" &&
          isScheduledIn(declaration, { ca: settings.ca, renewalSchedule: false }),
      ),
    source: composition,
    intervalMs: settings.scheduleIntervalSeconds * 1000,
    clock,
    log,
  });
  const store = composition.resource("store");
  const resumed = await resumeOrdersInFlight({
    store,
    engine,
    ordersInFlight: () => scanOrdersInFlight(emulators.dynamoDb.client, emulators.tableName),
    clock,
    log,
  });
  await sendMailsOfStoppedExecutions({
    store,
    stoppedExecutions: engine.executionsStoppedWithHost(),
    runStep: async (state, input) => {
      const handler = taskHandlers[state];
      if (handler === undefined) throw new Error(`No step runs ${state}.`);
      return handler(input);
    },
    settled: (name) => engine.markStoppedExecutionSettled(name),
    log,
  });
  // Deliveries that waited for a retry when the service stopped go out when they are due.
  await orderEvents.resumePending(emulators.dynamoDb.client, emulators.tableName);

  // The scheduled runs the renewal switch governs (the daily renewal run on AWS), every
  // renewalIntervalSeconds here; a run still going when the next is due is not overlapped. Those
  // every deployment runs (the CRL's refresh) have their own timer, above.
  let scheduledRun: Promise<void> | undefined;
  const runSchedules = () => {
    if (scheduledRun !== undefined) return;
    scheduledRun = (async () => {
      for (const { declaration } of catalog.schedules) {
        if (declaration.runs === "always") continue;
        try {
          const outcome = await declaration.bind(composition)({
            source: "local-timer",
            scheduledTime: clock.now().toISOString(),
          });
          log(`certflow: ${declaration.name}: ${JSON.stringify(outcome)}`);
        } catch (error) {
          log(`certflow: ${declaration.name} failed: ${String(error)}`);
        }
      }
    })().finally(() => {
      scheduledRun = undefined;
    });
  };
  const scheduleTimer =
    settings.renewalIntervalSeconds > 0
      ? setInterval(runSchedules, settings.renewalIntervalSeconds * 1000)
      : undefined;
  scheduleTimer?.unref();

  return {
    url,
    port,
    engine,
    emulators,
    store,
    vault: composition.resource("vault"),
    ca: composition.resource("ca"),
    resumed,
    async stop() {
      await alwaysScheduled.stop();
      clearInterval(scheduleTimer);
      await scheduledRun;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await engine?.close();
      await orderEvents.close();
      await emulators.stop();
    },
  };
}
