import { ApiError, RateLimited } from "./api-errors.ts";
import type { ApiResult } from "./api-types.ts";

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): ApiResult {
  return {
    statusCode,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: `${JSON.stringify(body, null, 2)}\n`,
  };
}

export function binaryResponse(
  body: Uint8Array,
  contentType: string,
  fileName: string,
  disposition: "attachment" | "inline" = "attachment",
): ApiResult {
  return {
    statusCode: 200,
    headers: {
      "content-type": contentType,
      "content-disposition": `${disposition}; filename="${fileName}"`,
      "cache-control": "no-store",
      // Shown inline, the bytes are taken as the type given, never as what they might look like.
      ...(disposition === "inline" ? { "x-content-type-options": "nosniff" } : {}),
    },
    body: Buffer.from(body).toString("base64"),
    isBase64Encoded: true,
  };
}

export function errorResponse(error: unknown, log: (error: unknown) => void): ApiResult {
  if (error instanceof ApiError) {
    const payload: Record<string, unknown> = { code: error.code, message: error.message };
    if (error.details !== undefined) payload.details = error.details;
    const headers: Record<string, string> =
      error instanceof RateLimited ? { "retry-after": String(error.retryAfterSeconds) } : {};
    return jsonResponse(error.status, { error: payload }, headers);
  }
  log(error);
  return jsonResponse(500, {
    error: { code: "INTERNAL", message: "Something went wrong on our side; please retry." },
  });
}
