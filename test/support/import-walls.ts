// Import walls: which folders may import what. The walls are data (IMPORT_WALLS); the rest
// lists the TypeScript files under some roots, reads each file's module specifiers, resolves
// them, and reports every import that a wall forbids. Paths are posix and relative to a base
// directory (the repository, or a fixture tree laid out like it).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { posix, relative, resolve, sep } from "node:path";

/** Where a module specifier leads. */
export type ImportTarget =
  /** A file or folder, relative to the base directory ("../x" from the top gives "../x"). */
  | { kind: "file"; path: string }
  /** A Node built-in, always spelt with its "node:" prefix, subpath included ("node:fs/promises"). */
  | { kind: "builtin"; name: string }
  /** A package by name ("@aws-sdk/client-s3" for "@aws-sdk/client-s3/dist", "zod" for "zod/v4"). */
  | { kind: "package"; name: string };

export interface ImportWall {
  /** Short handle, for tests and for finding a wall in the table. */
  id: string;
  /** The rule as a sentence; violations quote it. */
  name: string;
  /** Folders (relative to the base directory) whose files the wall applies to, subfolders included. */
  files: readonly string[];
  /** Whether a file the wall applies to may import this target. */
  allows(target: ImportTarget): boolean;
}

export interface ImportViolation {
  /** The importing file, relative to the base directory. */
  file: string;
  /** The specifier as written. */
  specifier: string;
  /** The broken wall's name. */
  rule: string;
}

// ---------------------------------------------------------------------------------------------
// The walls

/** Node built-ins that reach the network, other processes or the file system. */
const NETWORK_AND_FS_BUILTINS: ReadonlySet<string> = new Set([
  "net",
  "dns",
  "http",
  "https",
  "http2",
  "tls",
  "dgram",
  "child_process",
  "fs",
]);

/** True for a file target inside one of the folders (the folder itself included). */
function fileUnder(target: ImportTarget, ...folders: string[]): boolean {
  return target.kind === "file" && folders.some((folder) => isUnder(target.path, folder));
}

/** True for a built-in that reaches the network or the file system ("node:dns/promises" too). */
function isNetworkOrFsBuiltin(target: ImportTarget): boolean {
  if (target.kind !== "builtin") return false;
  const top = target.name.slice("node:".length).split("/")[0] ?? "";
  return NETWORK_AND_FS_BUILTINS.has(top);
}

function packageIs(target: ImportTarget, ...patterns: string[]): boolean {
  if (target.kind !== "package") return false;
  return patterns.some((pattern) =>
    pattern.endsWith("/*") ? target.name.startsWith(pattern.slice(0, -1)) : target.name === pattern,
  );
}

export const IMPORT_WALLS: readonly ImportWall[] = [
  {
    id: "domain",
    name: "functions/domain imports only functions/domain, Node built-ins without network or file access, tldts and zod",
    files: ["functions/domain"],
    allows: (target) =>
      fileUnder(target, "functions/domain") ||
      (target.kind === "builtin" && !isNetworkOrFsBuiltin(target)) ||
      packageIs(target, "tldts", "zod"),
  },
  {
    id: "pki",
    name: "functions/pki imports only functions/pki, functions/domain, Node built-ins without network or file access, and packages other than @aws-sdk/* and acme-client",
    files: ["functions/pki"],
    allows: (target) =>
      fileUnder(target, "functions/pki", "functions/domain") ||
      (target.kind === "builtin" && !isNetworkOrFsBuiltin(target)) ||
      (target.kind === "package" && !packageIs(target, "@aws-sdk/*", "acme-client")),
  },
  {
    id: "steps-and-routes",
    name: "steps, routes, scheduled runs, deploy tasks and consumers never import functions/adapters, functions/lambda, functions/local, @aws-sdk/*, acme-client or axios",
    files: [
      "functions/workflow/steps",
      "functions/api/routes",
      "functions/schedules/runs",
      "functions/deploy/tasks",
      "functions/events/consumers",
    ],
    allows: (target) =>
      !fileUnder(target, "functions/adapters", "functions/lambda", "functions/local") &&
      !packageIs(target, "@aws-sdk/*", "acme-client", "axios"),
  },
  {
    id: "adapters",
    name: "functions/adapters never imports functions/workflow or functions/api (adapters implement ports)",
    files: ["functions/adapters"],
    allows: (target) => !fileUnder(target, "functions/workflow", "functions/api"),
  },
  {
    id: "functions-not-infra",
    name: "functions never imports infra",
    files: ["functions"],
    allows: (target) => !fileUnder(target, "infra"),
  },
  {
    id: "cdk-not-local",
    name: "infra/cdk never imports infra/local",
    files: ["infra/cdk"],
    allows: (target) => !fileUnder(target, "infra/local"),
  },
  {
    id: "ports",
    name: "functions/ports imports only functions/ports and functions/domain",
    files: ["functions/ports"],
    allows: (target) => fileUnder(target, "functions/ports", "functions/domain"),
  },
];

/** The wall with this id; throws for an unknown one. */
export function importWall(id: string, walls: readonly ImportWall[] = IMPORT_WALLS): ImportWall {
  const wall = walls.find((candidate) => candidate.id === id);
  if (!wall) throw new Error(`no import wall "${id}"`);
  return wall;
}

// ---------------------------------------------------------------------------------------------
// Checking

export interface ImportWallReport {
  /** Every file checked, relative to the base directory, sorted. */
  files: string[];
  violations: ImportViolation[];
}

/** Checks every TypeScript file under the roots against the walls. */
export function checkImportWalls(options: {
  /** The directory paths are relative to: the repository, or a tree laid out like it. */
  baseDir: string;
  /** Folders to check, relative to baseDir. Each must exist. */
  roots: readonly string[];
  walls?: readonly ImportWall[];
}): ImportWallReport {
  const walls = options.walls ?? IMPORT_WALLS;
  const files = listTypeScriptFiles(options.baseDir, options.roots);
  const violations = files.flatMap((file) => {
    const source = readFileSync(resolve(options.baseDir, file), "utf8");
    return violationsIn(file, extractSpecifiers(source), walls);
  });
  return { files, violations };
}

/** The walls' verdict on one file's specifiers. */
export function violationsIn(
  file: string,
  specifiers: readonly string[],
  walls: readonly ImportWall[] = IMPORT_WALLS,
): ImportViolation[] {
  const applicable = walls.filter((wall) => wall.files.some((folder) => isUnder(file, folder)));
  const violations: ImportViolation[] = [];
  for (const specifier of specifiers) {
    const target = resolveSpecifier(file, specifier);
    for (const wall of applicable) {
      if (!wall.allows(target)) violations.push({ file, specifier, rule: wall.name });
    }
  }
  return violations;
}

/** "file imports specifier: rule". */
export function formatViolation(violation: ImportViolation): string {
  return `${violation.file} imports ${violation.specifier}: ${violation.rule}`;
}

// ---------------------------------------------------------------------------------------------
// Files

const TYPESCRIPT_FILE = /\.[cm]?ts$/;

/** The .ts/.mts/.cts files under the roots, relative to baseDir, posix, sorted. */
export function listTypeScriptFiles(baseDir: string, roots: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = resolve(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && TYPESCRIPT_FILE.test(entry.name)) {
        files.push(relative(baseDir, path).split(sep).join("/"));
      }
    }
  };
  for (const root of roots) {
    const dir = resolve(baseDir, root);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`import walls: no folder ${root} under ${baseDir}`);
    }
    walk(dir);
  }
  return files.sort();
}

/** True when path is folder or lies inside it. */
export function isUnder(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

// ---------------------------------------------------------------------------------------------
// Resolving

/** Node's built-in modules that may be imported without the "node:" prefix (Node 24). */
const UNPREFIXED_BUILTINS: ReadonlySet<string> = new Set(
  (
    "_http_agent _http_client _http_common _http_incoming _http_outgoing _http_server " +
    "_stream_duplex _stream_passthrough _stream_readable _stream_transform _stream_wrap " +
    "_stream_writable _tls_common _tls_wrap assert async_hooks buffer child_process cluster " +
    "console constants crypto dgram diagnostics_channel dns domain events fs http http2 https " +
    "inspector module net os path perf_hooks process punycode querystring readline repl stream " +
    "string_decoder sys timers tls trace_events tty url util v8 vm wasi worker_threads zlib"
  ).split(" "),
);

/** Where a specifier written in file (relative to the base directory) leads. */
export function resolveSpecifier(file: string, specifier: string): ImportTarget {
  if (
    specifier.startsWith("./") ||
    specifier.startsWith("../") ||
    specifier === "." ||
    specifier === ".."
  ) {
    return { kind: "file", path: posix.normalize(posix.join(posix.dirname(file), specifier)) };
  }
  if (specifier.startsWith("node:")) return { kind: "builtin", name: specifier };
  const segments = specifier.split("/");
  if (UNPREFIXED_BUILTINS.has(segments[0] ?? ""))
    return { kind: "builtin", name: `node:${specifier}` };
  const name = specifier.startsWith("@") ? segments.slice(0, 2).join("/") : (segments[0] ?? "");
  return { kind: "package", name };
}

// ---------------------------------------------------------------------------------------------
// Reading specifiers

type Token =
  | { kind: "name"; value: string }
  | { kind: "string"; value: string }
  /** A template literal; value is its text when it has no substitutions, otherwise undefined. */
  | { kind: "template"; value: string | undefined }
  | { kind: "punct"; value: string }
  | { kind: "other"; value: string };

/**
 * The module specifiers a TypeScript source imports or re-exports, in order of first
 * appearance, each once: `import … from "x"`, `import type … from "x"`, `import "x"`,
 * `export … from "x"`, and `import("x")` (also in types) with a literal argument.
 * Comments, strings, templates and regular expressions are read as such, so an import
 * written inside one does not count.
 */
export function extractSpecifiers(source: string): string[] {
  const tokens = tokenize(source);
  const found: string[] = [];
  const at = (index: number): Token | undefined => tokens[index];
  const isPunct = (token: Token | undefined, value: string): boolean =>
    token?.kind === "punct" && token.value === value;
  const isName = (token: Token | undefined, value: string): boolean =>
    token?.kind === "name" && token.value === value;
  const literal = (token: Token | undefined): string | undefined =>
    token?.kind === "string" || token?.kind === "template" ? token.value : undefined;
  const add = (specifier: string | undefined): void => {
    if (specifier !== undefined && !found.includes(specifier)) found.push(specifier);
  };

  /** Index just past a balanced { … } starting at index, or undefined. */
  const skipBraces = (index: number): number | undefined => {
    let depth = 0;
    for (let i = index; i < tokens.length; i += 1) {
      if (isPunct(at(i), "{")) depth += 1;
      else if (isPunct(at(i), "}")) {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
    }
    return undefined;
  };

  for (let i = 0; i < tokens.length; i += 1) {
    const token = at(i);
    if (isPunct(at(i - 1), ".")) continue; // a property named import/export
    if (isName(token, "import")) {
      const next = at(i + 1);
      if (isPunct(next, "(")) {
        // import("x"), import("x", { with: … }), and the type form import("x").Name
        const argument = literal(at(i + 2));
        if (argument !== undefined && (isPunct(at(i + 3), ")") || isPunct(at(i + 3), ","))) {
          add(argument);
        }
      } else if (next?.kind === "string") {
        add(next.value); // import "x"
      } else {
        // import [type] [default] [, { … } | * as ns] from "x"; stops at anything else
        // (import.meta, import x = require(…), a syntax error).
        for (let j = i + 1; j < tokens.length; j += 1) {
          const part = at(j);
          if (isName(part, "from") && at(j + 1)?.kind === "string") {
            add(literal(at(j + 1)));
            break;
          }
          if (isPunct(part, "{")) {
            const end = skipBraces(j);
            if (end === undefined) break;
            j = end - 1;
          } else if (!(part?.kind === "name" || isPunct(part, ",") || isPunct(part, "*"))) {
            break;
          }
        }
      }
    } else if (isName(token, "export")) {
      // export [type] { … } from "x" | export [type] * [as ns] from "x"
      let j = i + 1;
      if (isName(at(j), "type")) j += 1;
      if (isPunct(at(j), "{")) {
        const end = skipBraces(j);
        if (end === undefined) continue;
        j = end;
      } else if (isPunct(at(j), "*")) {
        j += 1;
        if (isName(at(j), "as")) j += 2;
      } else {
        continue;
      }
      if (isName(at(j), "from") && at(j + 1)?.kind === "string") add(literal(at(j + 1)));
    }
  }
  return found;
}

/** Names after which a "/" starts a regular expression rather than a division. */
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

const NAME_START = /[A-Za-z_$#\u0080-\uffff]/;
const NAME_PART = /[\w$\u0080-\uffff]/;

/** A lexer just good enough to tell code from comments, strings, templates and regexps. */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // One entry per open "{": true when it opened a template substitution "${".
  const braces: boolean[] = [];
  let i = source.startsWith("#!") ? source.indexOf("\n") : 0; // a shebang line
  if (i === -1) i = source.length;

  const regexAllowed = (): boolean => {
    const previous = tokens[tokens.length - 1];
    if (!previous) return true;
    if (previous.kind === "name") return KEYWORDS_BEFORE_EXPRESSION.has(previous.value);
    if (previous.kind === "punct") return ![")", "]", "}", "++", "--"].includes(previous.value);
    return false;
  };

  /** Reads template text from i (just past "`" or a substitution's "}"). */
  const readTemplate = (startsLiteral: boolean): void => {
    let text = "";
    while (i < source.length) {
      const char = source[i];
      if (char === "\\") {
        text += source[i + 1] ?? "";
        i += 2;
      } else if (char === "`") {
        i += 1;
        tokens.push({ kind: "template", value: startsLiteral ? text : undefined });
        return;
      } else if (char === "$" && source[i + 1] === "{") {
        i += 2;
        braces.push(true);
        tokens.push({ kind: "template", value: undefined });
        return;
      } else {
        text += char;
        i += 1;
      }
    }
    tokens.push({ kind: "template", value: undefined }); // unterminated
  };

  while (i < source.length) {
    const char = source[i] ?? "";
    const next = source[i + 1];
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      i = end === -1 ? source.length : end;
    } else if (char === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end === -1 ? source.length : end + 2;
    } else if (char === '"' || char === "'") {
      let text = "";
      i += 1;
      while (i < source.length && source[i] !== char && source[i] !== "\n") {
        if (source[i] === "\\") {
          text += source[i + 1] ?? "";
          i += 2;
        } else {
          text += source[i];
          i += 1;
        }
      }
      i += 1;
      tokens.push({ kind: "string", value: text });
    } else if (char === "`") {
      i += 1;
      readTemplate(true);
    } else if (char === "/" && regexAllowed()) {
      let inClass = false;
      i += 1;
      while (i < source.length && source[i] !== "\n") {
        const c = source[i];
        if (c === "\\") i += 1;
        else if (c === "[") inClass = true;
        else if (c === "]") inClass = false;
        else if (c === "/" && !inClass) break;
        i += 1;
      }
      i += 1;
      while (i < source.length && NAME_PART.test(source[i] ?? "")) i += 1;
      tokens.push({ kind: "other", value: "regexp" });
    } else if (NAME_START.test(char)) {
      const start = i;
      i += 1;
      while (i < source.length && NAME_PART.test(source[i] ?? "")) i += 1;
      tokens.push({ kind: "name", value: source.slice(start, i) });
    } else if (/\d/.test(char) || (char === "." && /\d/.test(next ?? ""))) {
      const start = i;
      i += 1;
      while (i < source.length && /[\w.]/.test(source[i] ?? "")) i += 1;
      tokens.push({ kind: "other", value: source.slice(start, i) });
    } else if ((char === "+" || char === "-") && next === char) {
      i += 2;
      tokens.push({ kind: "punct", value: char + char });
    } else if (char === "{") {
      i += 1;
      braces.push(false);
      tokens.push({ kind: "punct", value: "{" });
    } else if (char === "}") {
      i += 1;
      if (braces.pop()) readTemplate(false);
      else tokens.push({ kind: "punct", value: "}" });
    } else {
      i += 1;
      tokens.push({ kind: "punct", value: char });
    }
  }
  return tokens;
}
