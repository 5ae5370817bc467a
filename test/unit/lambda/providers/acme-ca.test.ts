import { describe, expect, it } from "vitest";
import { secretsManagerExternalAccountBinding } from "../../../../functions/lambda/providers/acme-ca.ts";

describe("the ACME external account binding from Secrets Manager", () => {
  const arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:eab-AbCdEf";
  const clientAnswering = (secretString: string | undefined) => {
    const asked: unknown[] = [];
    return {
      asked,
      client: {
        send: async (command: { input: unknown }) => {
          asked.push(command.input);
          return { SecretString: secretString };
        },
      } as never,
    };
  };

  it("reads kid and HMAC key from the secret's JSON when the account is first needed", async () => {
    const { client, asked } = clientAnswering('{"kid":"kid-1","hmacKey":"c2VjcmV0LWhtYWM"}');
    const binding = secretsManagerExternalAccountBinding(client, arn);
    expect(asked).toEqual([]);
    await expect(binding("tenant-a")).resolves.toEqual({
      kid: "kid-1",
      hmacKey: "c2VjcmV0LWhtYWM",
    });
    expect(asked).toEqual([{ SecretId: arn }]);
  });

  it("gives each tenant its own binding, the default to the others, and none without a default", async () => {
    // Prepare
    const perTenant = {
      tenants: {
        "tenant-a": { kid: "kid-a", hmacKey: "a2V5LWE" },
        "tenant-b": { kid: "kid-b", hmacKey: "a2V5LWI" },
      },
    };
    const withDefault = { ...perTenant, default: { kid: "kid-shared", hmacKey: "c2hhcmVk" } };
    const strict = secretsManagerExternalAccountBinding(
      clientAnswering(JSON.stringify(perTenant)).client,
      arn,
    );
    const lenient = secretsManagerExternalAccountBinding(
      clientAnswering(JSON.stringify(withDefault)).client,
      arn,
    );

    // Act
    const answers = await Promise.all([
      strict("tenant-a"),
      strict("tenant-b"),
      strict("tenant-c"),
      lenient("tenant-c"),
      strict("toString"),
    ]);

    // Assess
    expect(answers).toEqual([
      { kid: "kid-a", hmacKey: "a2V5LWE" },
      { kid: "kid-b", hmacKey: "a2V5LWI" },
      undefined,
      { kid: "kid-shared", hmacKey: "c2hhcmVk" },
      undefined,
    ]);
  });

  it.each([["not json at all: hunter2"], ['{"kid":"kid-1"}'], ['{"kid":"","hmacKey":"hunter2"}']])(
    "refuses a secret shaped %s without echoing it",
    async (secretString) => {
      const { client } = clientAnswering(secretString);
      const attempt = secretsManagerExternalAccountBinding(client, arn)("tenant-a");
      await expect(attempt).rejects.toThrow(/must hold JSON \{"kid"/);
      await expect(attempt).rejects.not.toThrow(/hunter2/);
    },
  );
});
