import { describe, expect, it } from "vitest";
import { ProgressLine } from "../../../functions/cli/progress-line.ts";
import { fakeIo } from "./fake-service.ts";

describe("ProgressLine", () => {
  it("rewrites one line on a terminal, cut to its width, and ends it with a newline", () => {
    const { io, raw, out } = fakeIo(20);
    const progress = new ProgressLine(io, "out");

    progress.update("SUBMITTED");
    progress.update("SUBMITTED");
    progress.update("PENDING_VALIDATION · 0/2 validated");
    progress.print("Publish this:");
    progress.update("ISSUED");
    progress.done();

    expect(progress.inPlace).toBe(true);
    expect(raw).toEqual([
      "\r\x1b[KSUBMITTED",
      "\r\x1b[KPENDING_VALIDATION…",
      "\n",
      "\r\x1b[KISSUED",
      "\n",
    ]);
    expect(out).toEqual(["Publish this:"]);
  });

  it("writes plain lines elsewhere, each text once", () => {
    const { io, raw, out } = fakeIo();
    const progress = new ProgressLine(io, "out");

    progress.update("SUBMITTED");
    progress.update("SUBMITTED");
    progress.update("ISSUED");
    progress.done();

    expect(progress.inPlace).toBe(false);
    expect(raw).toEqual([]);
    expect(out).toEqual(["SUBMITTED", "ISSUED"]);
  });

  it("goes to stderr when asked (stdout keeps the JSON document)", () => {
    const { io, out, err } = fakeIo(80);
    new ProgressLine(io, "err").update("SUBMITTED");
    expect(out).toEqual([]);
    expect(err).toEqual(["SUBMITTED"]);
  });
});
