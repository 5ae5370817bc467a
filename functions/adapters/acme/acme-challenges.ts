import type { Instructions, OrderName, ValidationMethodName } from "../../domain/order-record.ts";
import { acmeChallengeHost, challengeBaseName, delegationTarget } from "./delegation-target.ts";

export type AcmeChallengeType = "http-01" | "dns-01";

/**
 * The ACME challenge type an order's method is answered with, or why an ACME CA cannot
 * validate the names that way.
 */
export function challengeTypeFor(
  names: readonly OrderName[],
  method: ValidationMethodName,
): { readonly type: AcmeChallengeType } | { readonly refusal: string } {
  switch (method) {
    case "http-file": {
      const wildcards = names.filter((name) => name.wildcard).map((name) => name.ascii);
      if (wildcards.length > 0) {
        return {
          refusal: `An ACME CA validates wildcard names (${wildcards.join(", ")}) only through DNS (dns-01): http-01 cannot prove control of every name under a wildcard. Use dns-txt or dns-cname.`,
        };
      }
      return { type: "http-01" };
    }
    case "dns-txt":
    case "dns-cname":
      return { type: "dns-01" };
    case "email":
      return {
        refusal:
          "ACME CAs do not validate by email; use dns-txt, dns-cname or http-file (http-file not for wildcard names).",
      };
    default: {
      const unknownMethod: never = method;
      return { refusal: `Unknown validation method ${String(unknownMethod)}.` };
    }
  }
}

/**
 * What the customer publishes for one name. `keyAuthorization` is acme-client's answer for the
 * challenge: the key authorization itself for http-01, its base64url SHA-256 digest for dns-01.
 */
export function instructionsFor(input: {
  readonly name: OrderName;
  readonly method: ValidationMethodName;
  readonly token: string;
  readonly keyAuthorization: string;
  readonly delegationZone?: string;
  /** Whose order: dns-cname targets are per tenant. */
  readonly tenantId?: string;
}): Instructions {
  const { name, method } = input;
  switch (method) {
    case "http-file":
      return {
        method,
        url: `http://${challengeBaseName(name.ascii)}/.well-known/acme-challenge/${input.token}`,
        content: input.keyAuthorization,
      };
    case "dns-txt":
      return {
        method,
        recordType: "TXT",
        host: acmeChallengeHost(name.ascii),
        value: input.keyAuthorization,
      };
    case "dns-cname": {
      if (input.delegationZone === undefined || input.tenantId === undefined) {
        throw new Error("dns-cname instructions need the delegation zone and the tenant.");
      }
      return {
        method,
        recordType: "CNAME",
        host: acmeChallengeHost(name.ascii),
        value: delegationTarget(name.ascii, input.delegationZone, input.tenantId),
      };
    }
    case "email":
      throw new Error("ACME has no email challenge.");
    default: {
      const unknownMethod: never = method;
      throw new Error(`Unknown validation method ${String(unknownMethod)}.`);
    }
  }
}
