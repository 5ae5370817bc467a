import { describe, expect, it } from "vitest";
import { caPollDelaySeconds } from "../../../functions/workflow/ca-polling.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../functions/workflow/workflow-settings.ts";

const settings = { ...DEFAULT_WORKFLOW_SETTINGS, caPollMinSeconds: 2, caPollMaxSeconds: 30 };

describe("caPollDelaySeconds", () => {
  it.each([
    [1, 2],
    [2, 4],
    [3, 8],
    [4, 16],
    [5, 30],
    [9, 30],
  ])("after %i polls waits %i s", (attempt, seconds) => {
    expect(caPollDelaySeconds(settings, attempt, undefined)).toBe(seconds);
  });

  it("looks again at once after the request itself, unless the CA says when", () => {
    expect(caPollDelaySeconds(settings, 0, undefined)).toBe(0);
    expect(caPollDelaySeconds(settings, 0, 5)).toBe(5);
  });

  it("honours the CA's Retry-After, rounded up, and never waits less than a second", () => {
    expect(caPollDelaySeconds(settings, 1, 120)).toBe(120);
    expect(caPollDelaySeconds(settings, 1, 2.2)).toBe(3);
    expect(caPollDelaySeconds(settings, 1, 0)).toBe(1);
  });
});
