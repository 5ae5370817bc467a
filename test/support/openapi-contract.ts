// Checks answers against the OpenAPI document: finds the operation of a method and concrete
// path, the response documented for the status (or `default`), and validates a JSON body with
// the response's schema (ajv, JSON Schema 2020-12 with formats, as OpenAPI 3.1 reads it).
import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { matchRoute } from "../../functions/api/route-matching.ts";

/** ajv-formats is CommonJS: its default export is the function under Node, or wraps it. */
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as typeof addFormatsModule.default;

export type OpenApiDocument = {
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components: { readonly schemas: Record<string, unknown> };
};

interface OpenApiOperation {
  readonly operationId: string;
  readonly responses: Record<
    string,
    { readonly content?: Record<string, { readonly schema: unknown }> }
  >;
}

/** The committed openapi.json, as GET /v1/openapi.json serves it. */
export function committedDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(new URL("../../openapi.json", import.meta.url), "utf8"));
}

/** The answer's problems against the document: none when it fits. */
export interface ContractCheck {
  readonly operationId: string;
  readonly problems: string[];
}

export interface ResponseContract {
  /**
   * Checks one answer: that the route and status are documented, that a documented media type
   * is answered, and that a JSON body fits its schema.
   */
  check(answer: {
    readonly method: string;
    readonly path: string;
    readonly status: number;
    readonly contentType: string | null;
    readonly json?: unknown;
  }): ContractCheck;
  /** Validates a value against a component schema (#/components/schemas/{name}). */
  validateComponent(name: string, value: unknown): string[];
  /** Validates a value against a schema of the document (compiling it, with its references). */
  validate(schema: unknown, value: unknown): string[];
}

export function responseContract(document: OpenApiDocument): ResponseContract {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  // The components, under the document's name, so that their "#/components/…" references
  // resolve as in the document (the rest of it is not JSON Schema).
  ajv.addKeyword("components");
  ajv.addSchema({ $id: "openapi.json", components: document.components });
  const validators = new Map<string, ValidateFunction>();
  const validatorOf = (schema: unknown) => {
    const key = JSON.stringify(schema);
    let validate = validators.get(key);
    if (validate === undefined) {
      validate = ajv.compile(rebased(schema));
      validators.set(key, validate);
    }
    return validate;
  };
  const table = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      operation,
    })),
  );
  const problemsOf = (validate: ValidateFunction, value: unknown) =>
    validate(value)
      ? []
      : (validate.errors ?? []).map(
          (error) => `${error.instancePath || "(body)"} ${error.message ?? ""}`,
        );
  return {
    check({ method, path, status, contentType, json }) {
      const pathname = path.split("?")[0] ?? "";
      const match = matchRoute(table, method, pathname);
      if (match === undefined || "allowed" in match) {
        return { operationId: "", problems: [`${method} ${pathname} is not in the document`] };
      }
      const { operation } = match.route;
      const response = operation.responses[String(status)] ?? operation.responses.default;
      if (response === undefined) {
        return { operationId: operation.operationId, problems: [`status ${status} undocumented`] };
      }
      const mediaType = contentType?.split(";")[0]?.trim() ?? "";
      if (response.content === undefined) {
        return {
          operationId: operation.operationId,
          problems: mediaType === "" ? [] : [`${status} is documented without a body`],
        };
      }
      const media = response.content[mediaType];
      if (media === undefined) {
        return {
          operationId: operation.operationId,
          problems: [
            `${status} answered ${mediaType}, documented: ${Object.keys(response.content)}`,
          ],
        };
      }
      if (!mediaType.endsWith("json")) return { operationId: operation.operationId, problems: [] };
      return {
        operationId: operation.operationId,
        problems: problemsOf(validatorOf(media.schema), json),
      };
    },
    validateComponent(name, value) {
      return problemsOf(validatorOf({ $ref: `#/components/schemas/${name}` }), value);
    },
    validate(schema, value) {
      return problemsOf(validatorOf(schema), value);
    },
  };
}

/** A schema of the document, its `#/components/…` references pointing into the document. */
function rebased(schema: unknown): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/'),
  );
}
