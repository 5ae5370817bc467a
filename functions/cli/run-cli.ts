// The certflow command as a process: what bin/certflow.mjs runs (bundled into .build/cli by
// scripts/build-cli.mjs, or from the sources when no bundle is there).
import { endQuietlyOnClosedPipe, main } from "./main.ts";

endQuietlyOnClosedPipe();
process.exitCode = await main(process.argv.slice(2));
