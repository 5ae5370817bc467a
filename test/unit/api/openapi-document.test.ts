import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AWS_STAGE,
  openApiDocument,
  requestSchemaName,
} from "../../../functions/api/openapi-document.ts";
import { RESPONSE_SCHEMAS } from "../../../functions/api/response-schemas.ts";
import { isRawBody, type RouteDeclaration } from "../../../functions/api/route-declaration.ts";
import {
  PATH_PARAMETERS,
  ROUTE_DOCUMENTATION,
} from "../../../functions/api/route-documentation.ts";
import { loadServiceCatalog } from "../../../functions/composition/service-catalog.ts";
import { fixedClock } from "../../../functions/domain/clock.ts";
import { STAGE_NAME } from "../../../infra/cdk/rest-api.ts";
import {
  committedDocument,
  type OpenApiDocument,
  responseContract,
} from "../../support/openapi-contract.ts";
import { callRoute, routeTestDependencies } from "../../support/route-calls.ts";

let routes: RouteDeclaration[];
let document: OpenApiDocument & Record<string, any>;

const { version } = JSON.parse(
  readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
) as { version: string };

beforeAll(async () => {
  routes = (await loadServiceCatalog()).routes.map(({ declaration }) => declaration);
  document = openApiDocument(routes, { version }) as typeof document;
});

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    // Act
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));

    // Assess
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    const broken: any = structuredClone(document);
    broken.paths["/v1/orders"].get.parameters[0].in = "body";
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it("is what openapi.json holds: run `npm run openapi` after changing a route or schema", () => {
    expect(committedDocument()).toEqual(document);
  });

  it("has every route of the route table, with its method, path, callers and body, and no other", () => {
    // Prepare
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({ method, path, operation })),
    );

    // Assess
    expect(documented.map(({ operation }) => operation.operationId).sort()).toEqual(
      routes.map((route) => route.name).sort(),
    );
    for (const route of routes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()] as any;
      expect(operation?.operationId, `${route.method} ${route.path}`).toBe(route.name);
      if (route.access === "public") {
        expect(operation.security, route.name).toEqual([]);
        expect(operation.responses["401"], route.name).toBeUndefined();
      } else {
        expect(operation.security, route.name).toBeUndefined();
        expect(operation["x-certflow-roles"], route.name).toEqual(route.access);
        expect(operation.responses["401"], route.name).toBeDefined();
      }
      const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
      expect(
        (operation.parameters ?? [])
          .filter((parameter: any) => parameter.in === "path")
          .map((parameter: any) => parameter.name),
        route.name,
      ).toEqual(parameters);
      if (route.body === undefined) {
        expect(operation.requestBody, route.name).toBeUndefined();
      } else if (isRawBody(route.body)) {
        expect(Object.keys(operation.requestBody.content), route.name).toEqual(
          route.body.contentType,
        );
      } else {
        expect(operation.requestBody.content["application/json"].schema, route.name).toEqual({
          $ref: `#/components/schemas/${requestSchemaName(route.name)}`,
        });
      }
    }
    expect(document.security).toEqual([{ bearer: [] }]);
  });

  it("documents every declared route, and documents no route that is not declared", () => {
    expect(Object.keys(ROUTE_DOCUMENTATION).sort()).toEqual(
      routes.map((route) => route.name).sort(),
    );
  });

  it("describes every path parameter the routes use, and none they do not", () => {
    const used = new Set(routes.flatMap((route) => route.path.match(/\{\w+\}/g) ?? []));
    expect([...used].map((parameter) => parameter.slice(1, -1)).sort()).toEqual(
      Object.keys(PATH_PARAMETERS).sort(),
    );
  });

  it("holds each JSON body's declared schema as its request schema", () => {
    for (const route of routes) {
      if (route.body === undefined || isRawBody(route.body)) continue;
      const { $schema: _dialect, ...declared } = z.toJSONSchema(route.body.schema, {
        io: "input",
      }) as Record<string, unknown>;
      expect(document.components.schemas[requestSchemaName(route.name)], route.name).toEqual(
        declared,
      );
    }
  });

  it("holds every response schema, each a JSON Schema ajv compiles, references resolved", () => {
    // Prepare
    const contract = responseContract(document);

    // Act / Assess: compiling resolves every $ref; a sample of each kind passes or fails.
    for (const name of Object.keys(document.components.schemas)) {
      expect(() => contract.validateComponent(name, null), name).not.toThrow();
    }
    for (const schema of schemasIn(document.paths)) {
      expect(() => contract.validate(schema, null), JSON.stringify(schema)).not.toThrow();
    }
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(Object.keys(RESPONSE_SCHEMAS)),
    );
    expect(
      contract.validateComponent("Error", { error: { code: "NOT_FOUND", message: "Gone." } }),
    ).toEqual([]);
    expect(contract.validateComponent("Error", { error: { code: "NOT_FOUND" } })).not.toEqual([]);
    expect(
      contract.validateComponent("Timestamp", new Date("2027-01-10T08:00:00Z").toISOString()),
    ).toEqual([]);
    expect(contract.validateComponent("Timestamp", "10 January 2027")).not.toEqual([]);
  });

  it("takes and refuses request bodies as the route's zod schema does", () => {
    // Prepare
    const contract = responseContract(document);
    const submit = routes.find((route) => route.name === "SubmitOrder");
    if (submit?.body === undefined || isRawBody(submit.body)) throw new Error("no SubmitOrder");
    const bodies: unknown[] = [
      {
        domains: ["shop.example.com"],
        validation: { method: "dns-txt" },
        contact: { name: "Ada", email: "ada@example.com" },
      },
      {
        domains: ["shop.example.com"],
        product: "OV",
        validation: { method: "email", approverEmails: { "shop.example.com": "a@example.com" } },
        key: { type: "RSA-3072" },
        contact: { name: "Ada", email: "ada@example.com", phone: "+44 20 7946 0000" },
        organization: { name: "Shop", locality: "London", state: "London", country: "GB" },
        planMonths: 12,
      },
      { domains: [], validation: { method: "dns-txt" }, contact: { name: "A", email: "a@b.c" } },
      {
        domains: ["shop.example.com"],
        validation: { method: "carrier-pigeon" },
        contact: { name: "A", email: "a@b.c" },
      },
      { domains: ["a.example"], validation: { method: "dns-txt" }, contact: {}, extra: 1 },
      {
        domains: ["a.example"],
        validation: { method: "dns-txt" },
        contact: { name: "", email: "" },
      },
      {
        domains: ["a.example"],
        validation: { method: "dns-txt" },
        contact: { name: "A", email: "a@b.c" },
        planMonths: 61,
      },
    ];

    // Act / Assess
    for (const body of bodies) {
      expect(
        contract.validateComponent(requestSchemaName("SubmitOrder"), body).length === 0,
        JSON.stringify(body),
      ).toBe(z.safeParse(submit.body.schema, body).success);
    }
  });

  it("names the stage the CDK app deploys the API as in its AWS server", () => {
    expect(AWS_STAGE).toBe(STAGE_NAME);
    expect(document.servers[1].url).toMatch(new RegExp(`/${STAGE_NAME}$`));
  });
});

/** Every `schema` of the paths: parameters', bodies' and headers' (the validator takes any). */
function schemasIn(value: unknown): unknown[] {
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === "schema" ? [inner] : schemasIn(inner),
  );
}

describe("GET /v1/openapi.json", () => {
  it("answers the committed document, without a token", async () => {
    // Act
    const answer = await callRoute(
      routeTestDependencies(fixedClock(new Date("2027-01-10T08:00:00Z"))),
      "GET",
      "/v1/openapi.json",
      { tenant: null },
    );

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(committedDocument());
  });
});
