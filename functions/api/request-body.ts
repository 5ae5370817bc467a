import * as z from "zod";
import { ApiError } from "./api-errors.ts";
import type { ApiEvent } from "./api-types.ts";

function parseJsonBody(event: ApiEvent): unknown {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? "", "base64").toString("utf8")
    : (event.body ?? "");
  try {
    return JSON.parse(raw);
  } catch {
    throw new ApiError(400, "INVALID_JSON", "The request body is not valid JSON.");
  }
}

/** The JSON body checked against a schema: 400 INVALID_REQUEST lists every issue. */
export function parseRequestBody<Schema extends z.ZodType>(
  event: ApiEvent,
  schema: Schema,
): { readonly raw: unknown; readonly value: z.infer<Schema> } {
  const raw = parseJsonBody(event);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ApiError(400, "INVALID_REQUEST", z.prettifyError(parsed.error), {
      issues: parsed.error.issues.map((issue) => ({
        path: issue.path.join("."),
        message: issue.message,
      })),
    });
  }
  return { raw, value: parsed.data };
}
