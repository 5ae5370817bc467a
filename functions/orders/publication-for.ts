import type { Instructions } from "../domain/order-record.ts";
import type { Publication } from "../ports/dcv-checker.ts";

const ACME_HTTP_CHALLENGE_PATH = "/.well-known/acme-challenge/";

/** What a check must find, derived from what the customer was told to publish. */
export function publicationFor(instructions: Instructions): Publication | undefined {
  switch (instructions.method) {
    case "http-file":
      return {
        kind: "http-file",
        url: instructions.url,
        content: instructions.content,
        trailingWhitespaceAllowed: new URL(instructions.url).pathname.startsWith(
          ACME_HTTP_CHALLENGE_PATH,
        ),
      };
    case "dns-txt":
      return { kind: "dns-txt", host: instructions.host, value: instructions.value };
    case "dns-cname":
      return { kind: "dns-cname", host: instructions.host, value: instructions.value };
    case "email":
      return undefined;
    default: {
      const unknownMethod: never = instructions;
      throw new Error(`No publication for ${JSON.stringify(unknownMethod)}`);
    }
  }
}
