/** Errors the state machine retries by name (see the Retry blocks of order.asl.json). */
export class TransientDependencyError extends Error {
  override readonly name = "TransientDependencyError";
}

interface SdkErrorShape {
  readonly name?: string;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly code?: string;
}

const TRANSIENT_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "SlowDown",
  "RequestTimeout",
  "TimeoutError",
]);
const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"]);

/** Storage, mail and network hiccups become one retryable name; everything else is kept. */
export function classifyTransient(error: unknown): unknown {
  if (typeof error !== "object" || error === null) return error;
  const shape = error as SdkErrorShape;
  const status = shape.$metadata?.httpStatusCode;
  const transient =
    shape.$retryable !== undefined ||
    (shape.name !== undefined && TRANSIENT_NAMES.has(shape.name)) ||
    (shape.code !== undefined && TRANSIENT_CODES.has(shape.code)) ||
    (status !== undefined && status >= 500);
  if (!transient) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TransientDependencyError(`${shape.name ?? "Error"}: ${message}`);
}
