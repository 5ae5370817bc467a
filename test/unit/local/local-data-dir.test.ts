import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ensureDataDir,
  forgetServiceUrl,
  localServiceUrl,
  noServiceAnswers,
  readRecordedServiceUrl,
  recordServiceUrl,
} from "../../../functions/local/local-data-dir.ts";

const scratch = () => mkdtempSync(join(tmpdir(), "certflow-data-dir-"));

describe("the local data directory", () => {
  it("is created 0700, whatever the umask", () => {
    const fresh = join(scratch(), "data");
    const umask = process.umask(0o002);

    try {
      ensureDataDir(fresh);
    } finally {
      process.umask(umask);
    }

    expect((statSync(fresh).mode & 0o777).toString(8)).toBe("700");
  });

  it("keeps the URL the service recorded until that service forgets it", () => {
    const dataDir = scratch();
    recordServiceUrl(dataDir, "http://127.0.0.1:4321");

    forgetServiceUrl(dataDir, "http://127.0.0.1:9999");
    const kept = readRecordedServiceUrl(dataDir);
    forgetServiceUrl(dataDir, "http://127.0.0.1:4321");

    expect(kept).toBe("http://127.0.0.1:4321");
    expect(readRecordedServiceUrl(dataDir)).toBeUndefined();
  });
});

describe("the service a local tool talks to", () => {
  it.each([
    ["the URL given", "http://a:1", { CERTFLOW_URL: "http://b:2" }, true, "http://a:1"],
    ["CERTFLOW_URL", undefined, { CERTFLOW_URL: "http://b:2/" }, true, "http://b:2"],
    ["the URL recorded", undefined, {}, true, "http://127.0.0.1:4321"],
    ["the default", undefined, {}, false, "http://127.0.0.1:3000"],
  ] as const)("is %s first", (_case, given, environment, recorded, expected) => {
    const dataDir = scratch();
    if (recorded) recordServiceUrl(dataDir, "http://127.0.0.1:4321");

    const url = localServiceUrl({ given, environment, dataDir });

    expect(url).toBe(expected);
  });

  it("when none answers, the message names CERTFLOW_URL", () => {
    expect(noServiceAnswers("http://127.0.0.1:3000")).toMatch(/127\.0\.0\.1:3000.*CERTFLOW_URL/);
  });
});
