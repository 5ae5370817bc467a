import { Console } from "node:console";
import { Logger } from "@aws-lambda-powertools/logger";

/** One logger per process; Powertools reads POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "certflow",
});

/**
 * Sends the JSON log lines to `stream` instead of stdout: the local host keeps them in a file so
 * its terminal shows people one line per order event. (Powertools offers no stream option; its
 * console is the one place it writes to.)
 */
export function writeLogsTo(stream: NodeJS.WritableStream): void {
  Object.assign(logger, { console: new Console({ stdout: stream, stderr: stream }) });
}
