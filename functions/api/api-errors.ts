/** A caller mistake or a refusal, answered as {"error":{"code","message","details"?}}. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** 429 with Retry-After: the caller is over a rate limit and may try again after `seconds`. */
export class RateLimited extends ApiError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(429, "RATE_LIMITED", message, { retryAfterSeconds });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export const notFound = (what: string) => new ApiError(404, "NOT_FOUND", `${what} was not found.`);
