// ID tokens of an OpenID provider the local console signs in with (CERTFLOW_CONSOLE_SIGN_IN_URL),
// checked as API Gateway's Cognito authorizer checks them on AWS: an RS256 signature by a key of
// the issuer's JWKS (<issuer>/.well-known/jwks.json, Cognito's layout), the issuer, the console's
// app client as audience, token_use "id", and not expired. The claims then become the principal
// through the same mapping as on AWS (functions/lambda/cognito-principal.ts).
import { createPublicKey, type JsonWebKey, type KeyObject, verify } from "node:crypto";

export interface IdTokenIssuer {
  readonly issuer: string;
  readonly clientId: string;
}

export type IdTokenClaims = Readonly<Record<string, unknown>>;

/** The verified claims of a token, or undefined for anything not a valid ID token. */
export type IdTokenVerifier = (token: string) => Promise<IdTokenClaims | undefined>;

interface Jwks {
  readonly keys?: readonly (JsonWebKey & { kid?: string })[];
}

/** Unknown key ids make the verifier fetch the JWKS again, at most this often. */
const JWKS_REFETCH_MS = 30_000;

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (part === undefined || !/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function createIdTokenVerifier(
  issuer: IdTokenIssuer,
  options: {
    readonly fetchJwks?: () => Promise<Jwks>;
    readonly nowSeconds?: () => number;
  } = {},
): IdTokenVerifier {
  const fetchJwks =
    options.fetchJwks ??
    (async () => {
      const response = await fetch(`${issuer.issuer}/.well-known/jwks.json`);
      if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
      return (await response.json()) as Jwks;
    });
  const nowSeconds = options.nowSeconds ?? (() => Date.now() / 1000);
  let keys = new Map<string, KeyObject>();
  let fetchedAt = Number.NEGATIVE_INFINITY;

  const keyOf = async (kid: string): Promise<KeyObject | undefined> => {
    if (!keys.has(kid) && Date.now() - fetchedAt > JWKS_REFETCH_MS) {
      fetchedAt = Date.now();
      try {
        const jwks = await fetchJwks();
        const next = new Map<string, KeyObject>();
        for (const jwk of jwks.keys ?? []) {
          if (jwk.kty === "RSA" && typeof jwk.kid === "string") {
            next.set(jwk.kid, createPublicKey({ key: jwk, format: "jwk" }));
          }
        }
        keys = next;
      } catch {
        // The provider is unreachable: tokens it signed are refused until it answers.
      }
    }
    return keys.get(kid);
  };

  return async (token) => {
    const [headerPart, payloadPart, signaturePart, ...rest] = token.split(".");
    if (rest.length > 0 || signaturePart === undefined) return undefined;
    const header = decodePart(headerPart);
    const claims = decodePart(payloadPart);
    if (header?.alg !== "RS256" || typeof header.kid !== "string" || claims === undefined) {
      return undefined;
    }
    const key = await keyOf(header.kid);
    if (key === undefined) return undefined;
    const signed = verify(
      "sha256",
      Buffer.from(`${headerPart}.${payloadPart}`),
      key,
      Buffer.from(signaturePart, "base64url"),
    );
    if (!signed) return undefined;
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (
      claims.iss !== issuer.issuer ||
      !audience.includes(issuer.clientId) ||
      claims.token_use !== "id" ||
      typeof claims.exp !== "number" ||
      claims.exp <= nowSeconds()
    ) {
      return undefined;
    }
    return claims;
  };
}
