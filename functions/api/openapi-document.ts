// The OpenAPI 3.1 document of the REST API, made from the route table: each route's method,
// path, callers and request body as declared (the body's zod schema, the schema requests are
// checked against), with what route-documentation.ts says of it and the response schemas of
// response-schemas.ts. `npm run openapi` writes it to openapi.json, which GET /v1/openapi.json
// serves; a unit test fails when that file is not what this makes of the routes.
import { z } from "zod";
import { MAX_REQUEST_BODY_BYTES, MAX_REQUEST_BODY_TEXT } from "./request-body.ts";
import { RESPONSE_SCHEMAS } from "./response-schemas.ts";
import { isRawBody, type RouteDeclaration } from "./route-declaration.ts";
import {
  BYTES,
  PATH_PARAMETERS,
  type ParameterDocumentation,
  type ResponseDocumentation,
  ROUTE_DOCUMENTATION,
  type RouteDocumentation,
} from "./route-documentation.ts";

/** The API Gateway stage the CDK app deploys the REST API as (infra/cdk/rest-api.ts). */
export const AWS_STAGE = "prod";

/** What the document needs of a route: its declaration's endpoint, callers and body. */
export type DocumentedRoute = Pick<
  RouteDeclaration,
  "name" | "method" | "path" | "access" | "body"
>;

type JsonObject = { [key: string]: unknown };

const COMPONENTS = "#/components/schemas/";
const ref = (name: string) => ({ $ref: `${COMPONENTS}${name}` });

/** The component holding a JSON request body's schema. */
export const requestSchemaName = (routeName: string) => `${routeName}Request`;

/** A zod schema as a JSON Schema (2020-12, OpenAPI 3.1's dialect) inside the document. */
function jsonSchemaOf(schema: z.core.$ZodType, io: "input" | "output"): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io }) as JsonObject;
  return rest;
}

/** Every response schema as a component, each referring to the others by $ref. */
function responseComponents(): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(RESPONSE_SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io: "output", uri: (id) => `${COMPONENTS}${id}` });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      // Components are addressed by their place in the document, not by an $id of their own.
      const { $schema: _dialect, $id: _id, ...rest } = schema as JsonObject;
      return [id, rest];
    }),
  );
}

function parameter(
  name: string,
  where: "path" | "query" | "header",
  documentation: ParameterDocumentation,
): JsonObject {
  return {
    name,
    in: where,
    description: documentation.description,
    ...(where === "path" || documentation.required === true ? { required: true } : {}),
    schema: jsonSchemaOf(documentation.schema, "input"),
  };
}

function pathParameters(route: DocumentedRoute): JsonObject[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name = ""]) => {
    const description = PATH_PARAMETERS[name];
    if (description === undefined) {
      throw new Error(`${route.name}: path parameter {${name}} has no description`);
    }
    return parameter(name, "path", { description, schema: z.string().min(1) });
  });
}

function requestBody(route: DocumentedRoute): JsonObject | undefined {
  const { body } = route;
  if (body === undefined) return undefined;
  if (isRawBody(body)) {
    return {
      required: true,
      description: `The bytes, at most ${body.maxBytes} (Content-Type ${body.contentType.join(" or ")}).`,
      content: Object.fromEntries(
        body.contentType.map((type) => [
          type,
          { schema: { type: "string", contentMediaType: type } },
        ]),
      ),
    };
  }
  return {
    required: true,
    content: { [body.contentType]: { schema: ref(requestSchemaName(route.name)) } },
  };
}

function response(documentation: ResponseDocumentation): JsonObject {
  return {
    description: documentation.description,
    ...(documentation.headers === undefined
      ? {}
      : {
          headers: Object.fromEntries(
            Object.entries(documentation.headers).map(([name, description]) => [
              name,
              { description, schema: { type: "string" } },
            ]),
          ),
        }),
    ...(documentation.content === undefined
      ? {}
      : {
          content: Object.fromEntries(
            Object.entries(documentation.content).map(([type, schema]) => [
              type,
              {
                schema: schema === BYTES ? { type: "string", contentMediaType: type } : ref(schema),
              },
            ]),
          ),
        }),
  };
}

function errorResponse(status: number, description: string): JsonObject {
  return {
    description,
    ...(status === 429
      ? {
          headers: {
            "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } },
          },
        }
      : {}),
    content: { "application/json": { schema: ref("Error") } },
  };
}

/** The refusals every route of its kind may answer, merged with the route's own. */
function errors(route: DocumentedRoute, documentation: RouteDocumentation): Map<number, string> {
  const all = new Map<number, string[]>();
  const add = (status: number, description: string) =>
    all.set(status, [...(all.get(status) ?? []), description]);
  if (route.body !== undefined && !isRawBody(route.body)) {
    add(
      400,
      "INVALID_JSON, or INVALID_REQUEST: the body does not fit the schema (`details.issues`).",
    );
  }
  if (route.access !== "public") add(401, "UNAUTHENTICATED: no bearer token, or not a valid one.");
  if (route.access !== "public" && route.access.length === 1) {
    add(403, `FORBIDDEN: the route is for the ${route.access[0]} role.`);
  }
  if (route.body !== undefined) {
    if (isRawBody(route.body)) add(415, "Another Content-Type than the route takes.");
    else
      add(413, `BODY_TOO_LARGE: over ${MAX_REQUEST_BODY_TEXT} (${MAX_REQUEST_BODY_BYTES} bytes).`);
  }
  for (const [status, description] of Object.entries(documentation.errors ?? {})) {
    add(Number(status), description);
  }
  return new Map(
    [...all.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, descriptions]) => [status, descriptions.join(" ")]),
  );
}

function operation(route: DocumentedRoute): JsonObject {
  const documentation = ROUTE_DOCUMENTATION[route.name];
  if (documentation === undefined) throw new Error(`${route.name} has no documentation`);
  const roles = route.access === "public" ? undefined : route.access;
  const forRoles =
    roles !== undefined && roles.length === 1 ? `For the ${roles[0]} role only.` : undefined;
  const description = [documentation.description, forRoles].filter(Boolean).join(" ");
  const parameters = [
    ...pathParameters(route),
    ...Object.entries(documentation.query ?? {}).map(([name, query]) =>
      parameter(name, "query", query),
    ),
    ...Object.entries(documentation.headers ?? {}).map(([name, header]) =>
      parameter(name, "header", header),
    ),
  ];
  const body = requestBody(route);
  const responses: JsonObject = {};
  for (const [status, success] of Object.entries(documentation.responses)) {
    responses[status] = response(success);
  }
  for (const [status, description] of errors(route, documentation)) {
    responses[String(status)] = errorResponse(status, description);
  }
  responses.default = errorResponse(0, "Any other refusal or failure (500 INTERNAL, …).");
  return {
    operationId: route.name,
    summary: documentation.summary,
    ...(description === "" ? {} : { description }),
    tags: [tagOf(route.path)],
    // Public routes take no token; the others the document's default, the bearer token.
    ...(route.access === "public" ? { security: [] } : {}),
    ...(roles === undefined ? {} : { "x-certflow-roles": [...roles] }),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(body === undefined ? {} : { requestBody: body }),
    responses,
  };
}

/** Operations are grouped by the path's first segment after the version: orders, webhooks, … */
function tagOf(path: string): string {
  return path.split("/")[2]?.replace(/\.json$/, "") ?? "";
}

const METHOD_ORDER = ["GET", "PUT", "POST", "DELETE"];

/** The OpenAPI 3.1 document of these routes (every declared route: loadServiceCatalog's). */
export function openApiDocument(
  routes: readonly DocumentedRoute[],
  options: { readonly version: string },
): JsonObject {
  const sorted = [...routes].sort(
    (a, b) =>
      a.path.localeCompare(b.path) ||
      METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method),
  );
  const paths: Record<string, JsonObject> = {};
  for (const route of sorted) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  const requestSchemas = Object.fromEntries(
    sorted.flatMap((route) =>
      route.body === undefined || isRawBody(route.body)
        ? []
        : [[requestSchemaName(route.name), jsonSchemaOf(route.body.schema, "input")]],
    ),
  );
  return {
    openapi: "3.1.0",
    info: {
      title: "certflow",
      version: options.version,
      summary: "TLS certificates ordered, validated, issued and delivered.",
      description:
        'Generated from the route declarations and zod schemas the service runs with (npm run openapi); GET /v1/openapi.json serves it. Errors are `{"error":{"code","message","details"?}}`.',
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [
      { url: "http://127.0.0.1:3000", description: "npm start (PORT=3000)" },
      {
        url: `https://{restApiId}.execute-api.{region}.amazonaws.com/${AWS_STAGE}`,
        description: "The CDK app's deployment (its ApiUrl output).",
        variables: {
          restApiId: { default: "abcdef1234", description: "The REST API's id." },
          region: { default: "eu-west-1" },
        },
      },
    ],
    security: [{ bearer: [] }],
    tags: [...new Set(sorted.map((route) => tagOf(route.path)))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description:
            "Locally an API token of CERTFLOW_API_TOKENS (tenant and role); on AWS a Cognito ID token (tenant `custom:tenant`, role the `customer` or `operator` group).",
        },
      },
      schemas: { ...responseComponents(), ...requestSchemas },
    },
  };
}
