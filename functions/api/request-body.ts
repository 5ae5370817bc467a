import * as z from "zod/mini";
import { ApiError } from "./api-errors.ts";
import type { ApiEvent } from "./api-types.ts";
import { header } from "./principal.ts";
import type { RawRouteBody } from "./route-declaration.ts";

/** The largest request body the API accepts, on both hosts. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;
export const MAX_REQUEST_BODY_TEXT = "1 MiB";

/** 413: the body is over the limit, which the message names. */
export function bodyTooLarge(): ApiError {
  return new ApiError(
    413,
    "BODY_TOO_LARGE",
    `The request body is over the limit of ${MAX_REQUEST_BODY_TEXT} (${MAX_REQUEST_BODY_BYTES} bytes); send a smaller one.`,
  );
}

/** The body's bytes: API Gateway base64-encodes binary media types (and so does the local host). */
function bodyBytes(event: ApiEvent): Buffer {
  return event.isBase64Encoded
    ? Buffer.from(event.body ?? "", "base64")
    : Buffer.from(event.body ?? "", "utf8");
}

/** Refuses a body over the limit with 413, whatever the route. */
export function checkBodySize(event: ApiEvent): void {
  if (event.body === null || event.body === undefined) return;
  if (bodyBytes(event).length > MAX_REQUEST_BODY_BYTES) throw bodyTooLarge();
}

function parseJsonBody(event: ApiEvent): unknown {
  try {
    return JSON.parse(bodyBytes(event).toString("utf8"));
  } catch {
    throw new ApiError(400, "INVALID_JSON", "The request body is not valid JSON.");
  }
}

/** One plain sentence for one schema issue: where in the body, and what is wrong there. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  const where = path === "" ? "The request body" : `The field ${path}`;
  const reason = issue.message.replace(/[.\s]+$/, "");
  return `${where} is not accepted: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}.`;
}

/** The JSON body checked against a schema: 400 INVALID_REQUEST lists every issue. */
export function parseRequestBody<Schema extends z.core.$ZodType>(
  event: ApiEvent,
  schema: Schema,
): { readonly raw: unknown; readonly value: z.infer<Schema> } {
  const raw = parseJsonBody(event);
  const parsed = z.safeParse(schema, raw);
  if (!parsed.success) {
    throw new ApiError(
      400,
      "INVALID_REQUEST",
      parsed.error.issues.map((issue) => describeIssue(issue)).join(" "),
      {
        issues: parsed.error.issues.map((issue) => ({
          path: issue.path.join("."),
          message: issue.message,
        })),
      },
    );
  }
  return { raw, value: parsed.data };
}

/** A media type as routes compare it: lower case, without parameters ("; charset=…"). */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  return mediaType === "" ? undefined : mediaType;
}

/**
 * A raw body as its route declares it: over its size 413 first, then a Content-Type it does
 * not take 415, then what its `read` makes of the bytes.
 */
export function readRawBody<Body>(
  event: ApiEvent,
  body: RawRouteBody<Body>,
): { readonly raw: Uint8Array; readonly value: Body } {
  const bytes = bodyBytes(event);
  if (bytes.length > body.maxBytes) throw body.tooLarge();
  const contentType = header(event, "content-type");
  const mediaType = mediaTypeOf(contentType);
  if (mediaType === undefined || !body.contentType.includes(mediaType)) {
    throw body.unsupportedType(contentType);
  }
  const raw = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  return { raw, value: body.read(raw) };
}
