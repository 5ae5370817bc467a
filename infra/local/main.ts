import { startLocalHost } from "./local-host.ts";
import { readLocalSettings, SettingsError } from "./local-settings.ts";
import { printWelcome } from "./welcome.ts";

async function main(): Promise<void> {
  let settings: ReturnType<typeof readLocalSettings>;
  try {
    settings = readLocalSettings(process.env);
  } catch (error) {
    if (error instanceof SettingsError) {
      console.error(`certflow: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const host = await startLocalHost(settings, { log: (line) => console.log(`certflow: ${line}`) });
  printWelcome(settings, host.url, host.emulators.ses.endpoint);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`certflow: ${signal} received, stopping`);
    // Steps in flight get a few seconds to finish their writes; then the process goes anyway.
    setTimeout(() => process.exit(1), 10_000).unref();
    await host.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

await main();
