import { type DomainName, type Issuer, normalizeDomainNames } from "../domain/domain-names.ts";
import type { ProblemCode } from "../domain/problems.ts";
import { type CliIo, UsageError } from "./cli-io.ts";

/** Problems that only a public CA has with a name. */
const INTERNAL_NAME_CODES = new Set<ProblemCode>([
  "RESERVED_NAME",
  "SINGLE_LABEL",
  "PUBLIC_SUFFIX",
  "UNKNOWN_TOP_LEVEL_DOMAIN",
]);

/** The --domain values, normalized by the order rules; every problem becomes one UsageError. */
export function domainArguments(
  values: readonly string[] | undefined,
  issuer: Issuer,
  io: CliIo,
): DomainName[] {
  if (values === undefined || values.length === 0) {
    throw new UsageError("name at least one --domain.");
  }
  const result = normalizeDomainNames(values, { issuer });
  if (!result.ok) {
    const internal = result.problems.some((problem) => INTERNAL_NAME_CODES.has(problem.code));
    const hint = issuer === "public" && internal ? "\nFor a private CA, add --private." : "";
    throw new UsageError(`${result.problems.map((problem) => problem.message).join("\n")}${hint}`);
  }
  for (const warning of result.warnings) io.err(`note: ${warning.message}`);
  return result.value;
}

/** "bücher.example (xn--bcher-kva.example)" for IDNs, the name itself otherwise. */
export function showName(name: DomainName): string {
  return name.display === name.ascii ? name.ascii : `${name.display} (${name.ascii})`;
}
