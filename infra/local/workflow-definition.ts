/** Replaces every `${Name}` placeholder with a well-formed Lambda ARN, as CDK would. */
export function substitutePlaceholders(
  definition: Record<string, unknown>,
): Record<string, unknown> {
  const text = JSON.stringify(definition).replace(
    /\$\{(\w+?)(?:FunctionArn)?\}/g,
    (_match, name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
  );
  return JSON.parse(text) as Record<string, unknown>;
}

/** Reads a simple JSONPath (`$.a.b`) from a value. */
export function readJsonPath(value: unknown, path: string): unknown {
  if (path === "$") return value;
  let current: unknown = value;
  for (const key of path.replace(/^\$\./, "").split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
