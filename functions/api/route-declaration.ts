import type * as z from "zod/mini";
import type { DependenciesFor, DependencySource, Needs } from "../composition/needs.ts";
import { ApiError } from "./api-errors.ts";
import type { ApiEvent, ApiResult, Principal, Role } from "./api-types.ts";
import { principalOf } from "./principal.ts";
import { checkBodySize, parseRequestBody } from "./request-body.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** Who may call a route: anyone, or the signed-in roles listed. */
export type RouteAccess = "public" | readonly [Role, ...Role[]];

/** Every signed-in caller: the access of a route that does not say otherwise. */
export const SIGNED_IN: readonly ["customer", "operator"] = ["customer", "operator"];

export interface RouteBody<Body> {
  readonly contentType: "application/json";
  /** Any zod schema (zod/mini's or zod's chained API). */
  readonly schema: z.core.$ZodType<Body>;
}

export interface RouteRequest<Access extends RouteAccess, Body> {
  readonly event: ApiEvent;
  /** The body, checked against the declared schema (undefined when the route takes none). */
  readonly body: Body;
  /** The body as sent, before defaults were applied. */
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
   * (401, 403), the body's size (413) and the body (400) as declared, then handles the request.
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
        checkBodySize(event);
        const parsed =
          body === undefined
            ? { raw: undefined, value: undefined }
            : parseRequestBody(event, body.schema);
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
