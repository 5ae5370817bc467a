import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import { keepingMailCopies, MAILS_FOLDER } from "../../../../infra/local/captured-mails.ts";

describe("mail copies of the local service", () => {
  it("keeps a readable, private copy of each mail sent in the data directory", async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), "certflow-mails-"));
    const sent = createMemoryMailer();
    const mailer = keepingMailCopies(sent, dataDir, () => new Date("2027-01-10T08:00:00Z"));

    // Act
    await mailer.send({ to: ["ada@example.com"], subject: "First", text: "Hello" });
    await mailer.send({ to: ["ada@example.com"], subject: "Second", text: "Again" });

    // Assess
    const folder = join(dataDir, MAILS_FOLDER);
    const files = readdirSync(folder).sort();
    expect(sent.sent).toHaveLength(2);
    expect(files).toEqual([
      "2027-01-10T08-00-00.000Z-0001.txt",
      "2027-01-10T08-00-00.000Z-0002.txt",
    ]);
    expect(readFileSync(join(folder, files[0] ?? ""), "utf8")).toBe(
      "To: ada@example.com\nSubject: First\n\nHello\n",
    );
    expect(statSync(join(folder, files[1] ?? "")).mode & 0o777).toBe(0o600);
  });
});
