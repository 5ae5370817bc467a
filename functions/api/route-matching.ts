/** The routes of a table as the matcher sees them. */
export interface MatchableRoute {
  readonly method: string;
  readonly path: string;
}

export type RouteMatch<Route> =
  | { readonly route: Route; readonly pathParameters: Record<string, string> }
  | { readonly allowed: string[] }
  | undefined;

/** Finds the route for a method and concrete path, with its path parameters. */
export function matchRoute<Route extends MatchableRoute>(
  routes: readonly Route[],
  method: string,
  path: string,
): RouteMatch<Route> {
  const allowed: string[] = [];
  for (const route of routes) {
    const parameters = matchPath(route.path, path);
    if (parameters === undefined) continue;
    if (route.method === method) return { route, pathParameters: parameters };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const patternParts = pattern.split("/");
  const pathParts = path.split("/");
  if (patternParts.length !== pathParts.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, part] of patternParts.entries()) {
    const actual = pathParts[index] ?? "";
    const parameter = /^\{(\w+)\}$/.exec(part)?.[1];
    if (parameter !== undefined) {
      if (actual === "") return undefined;
      parameters[parameter] = decodeURIComponent(actual);
    } else if (part !== actual) {
      return undefined;
    }
  }
  return parameters;
}
