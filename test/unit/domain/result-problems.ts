import type { ProblemCode, Result } from "../../../functions/domain/problems.ts";

/** The codes of a refused result's problems, in order; none for an accepted result. */
export function problemCodes(result: Result<unknown>): ProblemCode[] {
  return result.ok ? [] : result.problems.map((problem) => problem.code);
}

/** A refused result's problems as [code, field] pairs, in order; none for an accepted result. */
export function problemsWithFields(result: Result<unknown>): [ProblemCode, string | undefined][] {
  return result.ok ? [] : result.problems.map((problem) => [problem.code, problem.field]);
}
