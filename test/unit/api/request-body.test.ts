import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ApiError } from "../../../functions/api/api-errors.ts";
import type { ApiEvent } from "../../../functions/api/api-types.ts";
import {
  checkBodySize,
  MAX_REQUEST_BODY_BYTES,
  parseRequestBody,
} from "../../../functions/api/request-body.ts";

const schema = z.strictObject({
  validation: z.strictObject({ method: z.enum(["http-file", "dns-txt"]) }),
  contact: z.strictObject({ email: z.string() }),
});

const event = (body: string, isBase64Encoded = false): ApiEvent => ({
  httpMethod: "POST",
  path: "/v1/orders",
  body,
  isBase64Encoded,
});

function refusal(action: () => unknown): ApiError {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("no refusal");
}

describe("parseRequestBody", () => {
  it("says what is wrong in one plain sentence per issue, and lists the issues", () => {
    const body = JSON.stringify({ validation: { method: "pigeon" }, extra: 1 });

    const error = refusal(() => parseRequestBody(event(body), schema));

    expect(error.status).toBe(400);
    expect(error.code).toBe("INVALID_REQUEST");
    expect(error.message).not.toMatch(/[✖→\n]/);
    const sentences = error.message.split(/(?<=\.) (?=The )/);
    expect(sentences).toHaveLength(3);
    expect(sentences).toEqual([
      expect.stringMatching(/^The field validation\.method is not accepted: invalid option.*\.$/),
      expect.stringMatching(/^The field contact is not accepted: .*\.$/),
      expect.stringMatching(/^The request body is not accepted: unrecognized key.*extra.*\.$/),
    ]);
    expect(error.details).toEqual({
      issues: [
        { path: "validation.method", message: expect.any(String) },
        { path: "contact", message: expect.any(String) },
        { path: "", message: expect.any(String) },
      ],
    });
  });
});

describe("checkBodySize", () => {
  it("answers 413 naming the limit for a body one byte over it", () => {
    const body = "x".repeat(MAX_REQUEST_BODY_BYTES + 1);

    const error = refusal(() => checkBodySize(event(body)));

    expect(error.status).toBe(413);
    expect(error.code).toBe("BODY_TOO_LARGE");
    expect(error.message).toContain("1 MiB");
  });

  it("counts the bytes of a base64 body, and lets a body at the limit through", () => {
    const atLimit = Buffer.alloc(MAX_REQUEST_BODY_BYTES).toString("base64");
    const overLimit = Buffer.alloc(MAX_REQUEST_BODY_BYTES + 1).toString("base64");

    const passes = () => checkBodySize(event(atLimit, true));
    const refused = refusal(() => checkBodySize(event(overLimit, true)));

    expect(passes).not.toThrow();
    expect(refused.status).toBe(413);
  });
});
