import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CustomerWebServer,
  startCustomerWebServer,
} from "../../../../infra/local/customer-web-server.ts";

let web: CustomerWebServer;

/** GET with an explicit Host header, as a validation check sends it. */
function get(hostHeader: string, path: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const outgoing = request(
        { host: "127.0.0.1", port: web.port, path, headers: { Host: hostHeader }, agent: false },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        },
      );
      outgoing.on("error", reject);
      outgoing.end();
    },
  );
}

beforeAll(async () => {
  web = await startCustomerWebServer({ host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await web?.close();
});

describe("the customer's web server", () => {
  it("serves exactly the published content for the Host header, as text/plain", async () => {
    web.publish("Shop.certflow.test", "/.well-known/pki-validation/A1.txt", "token-value");
    const answer = await get("shop.certflow.test:8080", "/.well-known/pki-validation/A1.txt");
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("token-value");
    expect(String(answer.headers["content-type"])).toMatch(/^text\/plain/);
    expect(web.url).toBe(`http://127.0.0.1:${web.port}`);
  });

  it("answers 404 for another host or path, and after unpublish", async () => {
    web.publish("a.demo.localhost", "/file.txt", "x");
    expect((await get("b.demo.localhost", "/file.txt")).status).toBe(404);
    expect((await get("a.demo.localhost", "/other.txt")).status).toBe(404);
    web.unpublish("a.demo.localhost", "/file.txt");
    expect((await get("a.demo.localhost", "/file.txt")).status).toBe(404);
  });

  it("answers the published status and redirect", async () => {
    web.publish("shop.certflow.test", "/moved.txt", "", { redirectTo: "https://elsewhere.test/" });
    web.publish("shop.certflow.test", "/broken.txt", "oops", { status: 500 });
    const moved = await get("shop.certflow.test", "/moved.txt");
    expect(moved.status).toBe(302);
    expect(moved.headers.location).toBe("https://elsewhere.test/");
    const broken = await get("shop.certflow.test", "/broken.txt");
    expect(broken.status).toBe(500);
    expect(broken.body).toBe("oops");
  });

  it("keeps trailing newlines exactly as published", async () => {
    web.publish("shop.certflow.test", "/nl.txt", "value\r\n");
    expect((await get("shop.certflow.test", "/nl.txt")).body).toBe("value\r\n");
  });
});

it("closes more than once without error", async () => {
  const extra = await startCustomerWebServer();
  await extra.close();
  await expect(extra.close()).resolves.toBeUndefined();
});
