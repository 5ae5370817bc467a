import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";

type RequestSigner = Exclude<
  NonNullable<DynamoDBClientConfig["signer"]>,
  (...args: never) => unknown
>;
type HttpRequest = Parameters<RequestSigner["sign"]>[0];

/**
 * How the local host's SDK clients sign for the emulators: they do not check signatures, and
 * SigV4 costs each call its HMAC keys and payload hash, about a tenth of the host's main thread
 * under load. dynalite and the SES emulator refuse a request without an Authorization header but
 * never check what it says; s3rver checks a signature when one is sent and takes a request
 * without one.
 */
export const EMULATOR_SIGNERS = {
  /** An Authorization header of SigV4's form, never checked. */
  unchecked: {
    async sign(request: HttpRequest): Promise<HttpRequest> {
      request.headers.authorization =
        "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/local/aws4_request, SignedHeaders=host, Signature=0";
      request.headers["x-amz-date"] = "20260101T000000Z";
      return request;
    },
  },
  /** Unsigned, for s3rver. */
  none: {
    async sign(request: HttpRequest): Promise<HttpRequest> {
      return request;
    },
  },
} as const satisfies Record<string, RequestSigner>;
