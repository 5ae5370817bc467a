import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { ApiEvent, ApiResult, Principal } from "../../functions/api/api-types.ts";
import type { ConsoleConfig } from "../../functions/api/console-config.ts";
import {
  bodyTooLarge,
  MAX_REQUEST_BODY_BYTES,
  mediaTypeOf,
} from "../../functions/api/request-body.ts";
import { errorResponse, jsonResponse } from "../../functions/api/responses.ts";
import {
  binaryRequestMediaTypes,
  isRawBody,
  type RouteDeclaration,
} from "../../functions/api/route-declaration.ts";
import { matchRoute } from "../../functions/api/route-matching.ts";
import type { Composition } from "../../functions/composition/composition.ts";
import type { Declared } from "../../functions/composition/service-catalog.ts";
import { withCognitoPrincipal } from "../../functions/lambda/cognito-principal.ts";
import type { ApiToken } from "../../functions/local/local-token-file.ts";
import { CONSOLE_BUILD_DIR, consoleFile } from "./console-files.ts";
import type { IdTokenVerifier } from "./local-id-tokens.ts";

interface LocalRoute {
  readonly method: string;
  readonly path: string;
  readonly declaration: RouteDeclaration;
  readonly handle: (event: ApiEvent) => Promise<ApiResult>;
}

/**
 * Serves the REST API the way API Gateway would: authorizes the bearer token into tenant and
 * role, builds a proxy event, and runs the declared route with the dependencies its needs name.
 */
export function createLocalApiServer(
  composition: Composition,
  routes: readonly Declared<RouteDeclaration>[],
  tokens: readonly ApiToken[],
  signIn: {
    readonly consoleConfig?: ConsoleConfig;
    /** When the console signs in through a provider: its ID tokens are API tokens too. */
    readonly idTokens?: IdTokenVerifier;
  } = {},
): Server {
  const byToken = new Map(tokens.map((entry) => [entry.token, entry]));
  const principalOf = async (bearer: string): Promise<Principal | undefined> => {
    const known = byToken.get(bearer);
    if (known !== undefined || signIn.idTokens === undefined) return known;
    const claims = await signIn.idTokens(bearer);
    if (claims === undefined) return undefined;
    // As API Gateway's Cognito authorizer hands the claims to the function on AWS.
    const authorizer = withCognitoPrincipal({
      httpMethod: "GET",
      path: "/",
      requestContext: { authorizer: { claims } },
    }).requestContext?.authorizer;
    const tenantId = authorizer?.tenantId;
    const role = authorizer?.role;
    return typeof tenantId === "string" && (role === "customer" || role === "operator")
      ? { tenantId, role }
      : undefined;
  };
  const table: LocalRoute[] = routes.map(({ declaration }) => ({
    method: declaration.method,
    path: declaration.path,
    declaration,
    handle: declaration.bind(composition),
  }));
  const { logError } = composition.base;
  const binaryTypes = new Set(binaryRequestMediaTypes(table.map((route) => route.declaration)));
  const serve = (request: IncomingMessage, response: ServerResponse) => {
    handle(table, principalOf, signIn.consoleConfig, binaryTypes, request, response)
      .then((result) => send(response, result))
      .catch((error: unknown) => send(response, errorResponse(error, logError)));
  };
  const server = createServer(serve);
  // A client that waits for "100 Continue" before sending its body (curl does for uploads) gets
  // it only once the body is known to be wanted: a body too large is refused unsent.
  server.on("checkContinue", serve);
  return server;
}

async function handle(
  routes: readonly LocalRoute[],
  principalOf: (bearer: string) => Promise<Principal | undefined>,
  consoleConfig: ConsoleConfig | undefined,
  binaryTypes: ReadonlySet<string>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<ApiResult> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const method = request.method ?? "GET";
  // The web console's files, at the root; the API is everything under /v1/.
  if (method === "GET" && !url.pathname.startsWith("/v1/")) {
    const file = consoleFile(url.pathname, CONSOLE_BUILD_DIR, consoleConfig);
    if (file !== undefined) return file;
  }
  const match = matchRoute(routes, method, url.pathname);
  if (match === undefined) {
    return jsonResponse(404, {
      error: { code: "NOT_FOUND", message: `No route ${url.pathname}.` },
    });
  }
  if ("allowed" in match) {
    return jsonResponse(
      405,
      { error: { code: "METHOD_NOT_ALLOWED", message: `Use ${match.allowed.join(" or ")}.` } },
      { allow: match.allowed.join(", ") },
    );
  }
  const bearer = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
  const principal = bearer === undefined ? undefined : await principalOf(bearer);
  if (principal === undefined && match.route.declaration.access !== "public") {
    return jsonResponse(401, {
      error: {
        code: "UNAUTHENTICATED",
        message: "Send a valid API token as 'Authorization: Bearer <token>'.",
      },
    });
  }
  const declaredBody = match.route.declaration.body;
  const body = await readBody(
    request,
    response,
    isRawBody(declaredBody)
      ? { maxBytes: declaredBody.maxBytes, tooLarge: declaredBody.tooLarge }
      : { maxBytes: MAX_REQUEST_BODY_BYTES, tooLarge: bodyTooLarge },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string") headers[name] = value;
  }
  // As API Gateway passes them: a body of a binary media type base64-encoded, others as text.
  const binary = binaryTypes.has(mediaTypeOf(request.headers["content-type"]) ?? "");
  const event: ApiEvent = {
    httpMethod: method,
    path: url.pathname,
    pathParameters: match.pathParameters,
    queryStringParameters: Object.fromEntries(url.searchParams.entries()),
    headers,
    body: body.length === 0 ? null : body.toString(binary ? "base64" : "utf8"),
    isBase64Encoded: binary,
    requestContext: {
      requestId: randomUUID(),
      authorizer:
        principal === undefined ? null : { tenantId: principal.tenantId, role: principal.role },
    },
  };
  return match.route.handle(event);
}

/**
 * The request body, or the route's 413 when it is over the route's limit. A Content-Length over
 * it is refused before the body is read; a client waiting for "100 Continue" is then never
 * asked to send it. Otherwise the rest of an oversized body is read and dropped, so the caller
 * gets the answer instead of a reset connection.
 */
async function readBody(
  request: IncomingMessage,
  response: ServerResponse,
  limit: { readonly maxBytes: number; readonly tooLarge: () => Error },
): Promise<Buffer> {
  const expectsContinue = /^100-continue$/i.test(request.headers.expect ?? "");
  const declaredLength = Number(request.headers["content-length"] ?? "0");
  if (declaredLength > limit.maxBytes) {
    if (!expectsContinue) for await (const _chunk of request);
    throw limit.tooLarge();
  }
  if (expectsContinue) response.writeContinue();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= limit.maxBytes) chunks.push(buffer);
  }
  if (size > limit.maxBytes) throw limit.tooLarge();
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, result: ApiResult): void {
  const body = result.isBase64Encoded
    ? Buffer.from(result.body, "base64")
    : Buffer.from(result.body);
  response.writeHead(result.statusCode, { ...result.headers, "content-length": body.length });
  response.end(body);
}
