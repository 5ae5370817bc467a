import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { ApiEvent, ApiResult } from "../../functions/api/api-types.ts";
import { bodyTooLarge, MAX_REQUEST_BODY_BYTES } from "../../functions/api/request-body.ts";
import { errorResponse, jsonResponse } from "../../functions/api/responses.ts";
import type { RouteDeclaration } from "../../functions/api/route-declaration.ts";
import { matchRoute } from "../../functions/api/route-matching.ts";
import type { Composition } from "../../functions/composition/composition.ts";
import type { Declared } from "../../functions/composition/service-catalog.ts";
import type { ApiToken } from "../../functions/local/local-token-file.ts";

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
): Server {
  const byToken = new Map(tokens.map((entry) => [entry.token, entry]));
  const table: LocalRoute[] = routes.map(({ declaration }) => ({
    method: declaration.method,
    path: declaration.path,
    declaration,
    handle: declaration.bind(composition),
  }));
  const { logError } = composition.base;
  return createServer((request, response) => {
    handle(table, byToken, request)
      .then((result) => send(response, result))
      .catch((error: unknown) => send(response, errorResponse(error, logError)));
  });
}

async function handle(
  routes: readonly LocalRoute[],
  tokens: ReadonlyMap<string, ApiToken>,
  request: IncomingMessage,
): Promise<ApiResult> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const method = request.method ?? "GET";
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
  const principal = bearer === undefined ? undefined : tokens.get(bearer);
  if (principal === undefined && match.route.declaration.access !== "public") {
    return jsonResponse(401, {
      error: {
        code: "UNAUTHENTICATED",
        message: "Send a valid API token as 'Authorization: Bearer <token>'.",
      },
    });
  }
  const body = await readBody(request);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string") headers[name] = value;
  }
  const event: ApiEvent = {
    httpMethod: method,
    path: url.pathname,
    pathParameters: match.pathParameters,
    queryStringParameters: Object.fromEntries(url.searchParams.entries()),
    headers,
    body: body.length === 0 ? null : body.toString("utf8"),
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      authorizer:
        principal === undefined ? null : { tenantId: principal.tenantId, role: principal.role },
    },
  };
  return match.route.handle(event);
}

/**
 * The request body, or 413 when it is over the limit. The rest of an oversized body is read and
 * dropped, so the caller gets the answer instead of a reset connection.
 */
async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= MAX_REQUEST_BODY_BYTES) chunks.push(buffer);
  }
  if (size > MAX_REQUEST_BODY_BYTES) throw bodyTooLarge();
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, result: ApiResult): void {
  const body = result.isBase64Encoded
    ? Buffer.from(result.body, "base64")
    : Buffer.from(result.body);
  response.writeHead(result.statusCode, { ...result.headers, "content-length": body.length });
  response.end(body);
}
