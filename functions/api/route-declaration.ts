import type * as z from "zod/mini";
import type { DependenciesFor, DependencySource, Needs } from "../composition/needs.ts";
import { ApiError } from "./api-errors.ts";
import type { ApiEvent, ApiResult, Principal, Role } from "./api-types.ts";
import { principalOf } from "./principal.ts";
import { checkBodySize, parseRequestBody, readRawBody } from "./request-body.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** Who may call a route: anyone, or the signed-in roles listed. */
export type RouteAccess = "public" | readonly [Role, ...Role[]];

/** Every signed-in caller: the access of a route that does not say otherwise. */
export const SIGNED_IN: readonly ["customer", "operator"] = ["customer", "operator"];

/** A JSON body, checked against a schema (and, on AWS, by API Gateway against its model). */
export interface JsonRouteBody<Body> {
  readonly contentType: "application/json";
  /** Any zod schema (zod/mini's or zod's chained API). */
  readonly schema: z.core.$ZodType<Body>;
}

/**
 * A body taken as bytes (an upload): the request's Content-Type must be one of `contentType`,
 * which API Gateway then passes base64-encoded (they are the REST API's binary media types)
 * and the local host passes the same way. Over `maxBytes` answers `tooLarge()` (the local host
 * before reading the body when Content-Length says so); another Content-Type answers
 * `unsupportedType()`; then `read` turns the bytes into what the route gets, or throws an
 * ApiError for bytes it does not take.
 */
export interface RawRouteBody<Body> {
  readonly raw: true;
  readonly contentType: readonly [string, ...string[]];
  readonly maxBytes: number;
  readonly tooLarge: () => ApiError;
  readonly unsupportedType: (contentType: string | undefined) => ApiError;
  readonly read: (bytes: Uint8Array) => Body;
}

export type RouteBody<Body> = JsonRouteBody<Body> | RawRouteBody<Body>;

export function isRawBody<Body>(body: RouteBody<Body> | undefined): body is RawRouteBody<Body> {
  return body !== undefined && "raw" in body && body.raw;
}

/**
 * The media types API Gateway must pass to these routes as bytes (base64): every raw body's.
 * The local host encodes a request body the same way when its Content-Type is one of them.
 */
export function binaryRequestMediaTypes(
  routes: readonly Pick<RouteDeclaration, "body">[],
): string[] {
  return [...new Set(routes.flatMap(({ body }) => (isRawBody(body) ? body.contentType : [])))];
}

export interface RouteRequest<Access extends RouteAccess, Body> {
  readonly event: ApiEvent;
  /**
   * The body, checked against the declared schema, or read from the bytes of a raw body
   * (undefined when the route takes none).
   */
  readonly body: Body;
  /** The body as sent, before defaults were applied (a raw body's bytes). */
  readonly rawBody: unknown;
  readonly principal: Access extends "public" ? undefined : Principal;
}

/**
 * One API route: its method and path, who may call it, the body it takes, what it needs, and
 * what it does. The local router, the Lambda function (entry, environment, IAM grants) and the
 * API Gateway method are all derived from this.
 */
export interface RouteDeclaration {
  readonly kind: "route";
  /** Also the name of the route's Lambda function and API Gateway operation. */
  readonly name: string;
  readonly method: HttpMethod;
  /** API Gateway resource path, with {parameters}. */
  readonly path: string;
  readonly access: RouteAccess;
  readonly body?: RouteBody<unknown>;
  readonly needs: Needs;
  /**
   * The route, run with the dependencies its needs name from `source`: checks the caller
   * (401, 403), the body's size (413), a raw body's Content-Type (415) and the body (400, or
   * what a raw body's `read` answers) as declared, then handles the request.
   */
  bind(source: DependencySource): (event: ApiEvent) => Promise<ApiResult>;
}

/** A route's method and path, as in "GET /v1/orders/{id}". */
export type Endpoint = `${HttpMethod} /${string}`;

export interface RouteContract<N extends Needs, Access extends RouteAccess, Body> {
  /** Also the name of the route's Lambda function and API Gateway operation. */
  readonly name: string;
  /** Who may call it; signed-in customers and operators when left out. */
  readonly access?: Access;
  readonly body?: RouteBody<Body>;
  readonly needs: N;
}

/**
 * Declares a route: its endpoint, name, callers, body and needs, then what it does (whose
 * dependencies hold exactly what `needs` names).
 */
export function declareRoute<
  const N extends Needs,
  const Access extends RouteAccess = typeof SIGNED_IN,
  Body = undefined,
>(
  endpoint: Endpoint,
  contract: RouteContract<N, Access, Body>,
  handle: (deps: DependenciesFor<N>, request: RouteRequest<Access, Body>) => Promise<ApiResult>,
): RouteDeclaration {
  const [method, path] = endpoint.split(" ") as [HttpMethod, string];
  const access: RouteAccess = contract.access ?? SIGNED_IN;
  const { body } = contract;
  return {
    kind: "route",
    name: contract.name,
    method,
    path,
    access,
    ...(body === undefined ? {} : { body }),
    needs: contract.needs,
    bind(source) {
      const deps = source.dependenciesFor(contract.needs);
      return async (event) => {
        let principal: Principal | undefined;
        if (access !== "public") {
          principal = principalOf(event);
          if (!access.includes(principal.role)) {
            throw new ApiError(
              403,
              "FORBIDDEN",
              `This route is for the ${access.join(" or ")} role.`,
            );
          }
        }
        let parsed: { readonly raw: unknown; readonly value: unknown };
        if (isRawBody(body)) {
          parsed = readRawBody(event, body);
        } else {
          checkBodySize(event);
          parsed =
            body === undefined
              ? { raw: undefined, value: undefined }
              : parseRequestBody(event, body.schema);
        }
        return handle(deps, {
          event,
          body: parsed.value as Body,
          rawBody: parsed.raw,
          // Checked above: a principal exactly when the declared access is not public.
          principal: principal as RouteRequest<Access, Body>["principal"],
        });
      };
    },
  };
}
