import { afterEach, describe, expect, it, vi } from "vitest";
import type { ApiEvent } from "../../../functions/api/api-types.ts";
import { principalOf } from "../../../functions/api/principal.ts";
import { API_ROUTES } from "../../../functions/api/route-table.ts";
import { composeAws } from "../../../functions/aws/aws-composition.ts";
import { MissingSetting, WIRING_FLAGS } from "../../../functions/aws/aws-environment.ts";
import { CaNotConfigured } from "../../../functions/aws/ca-facts.ts";
import { withCognitoPrincipal } from "../../../functions/aws/cognito-principal.ts";
import { NotWired } from "../../../functions/aws/not-wired.ts";
import { loadRouteHandle } from "../../../functions/aws/route-handlers.ts";
import { loadStep } from "../../../functions/aws/step-loader.ts";
import { secretsManagerExternalAccountBinding } from "../../../functions/aws/wiring/acme-certificate-authority.ts";
import { secretsManagerPassphrases } from "../../../functions/aws/wiring/vault.ts";
import { derivedKeyPassphrases } from "../../../functions/vault/key-passphrases.ts";
import { STEP_INPUTS } from "../../../functions/workflow/step-inputs.ts";
import { readOrderDefinition, taskStateBindings } from "../../../infra/local/order-definition.ts";

const baseEnvironment = {
  CERTFLOW_FUNCTION: "GetOrder",
  CERTFLOW_PUBLIC_API_URL: "https://api.example/prod/",
  CERTFLOW_TABLE_NAME: "orders",
  CERTFLOW_BUCKET_NAME: "vault",
  CERTFLOW_KMS_KEY_ID: "arn:aws:kms:eu-west-1:111122223333:key/k",
  CERTFLOW_MASTER_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:m-AbCdEf",
  CERTFLOW_STATE_MACHINE_ARN: "arn:aws:states:eu-west-1:111122223333:stateMachine:orders",
  AWS_REGION: "eu-west-1",
};

function wire(uses: Partial<Record<keyof typeof WIRING_FLAGS, boolean>>) {
  for (const [resource, flag] of Object.entries(WIRING_FLAGS)) {
    vi.stubEnv(flag, uses[resource as keyof typeof WIRING_FLAGS] === true ? "yes" : "no");
  }
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the AWS composition", () => {
  it("builds only the resources a function is given; the others fail naming the function", async () => {
    wire({ store: true });
    const { functionName, api, workflow } = await composeAws(baseEnvironment);
    expect(functionName).toBe("GetOrder");
    expect(typeof api.store.get).toBe("function");
    expect(api.settings.publicApiUrl).toBe("https://api.example/prod");
    expect(() => workflow.mailer.send).toThrow(NotWired);
    expect(() => api.workflow.startExecution).toThrow(/GetOrder is not given the workflow/);
    expect(() => api.vault.getCsr).toThrow(/function-catalog/);
    // A stand-in can still be awaited and logged.
    await expect(Promise.resolve(api.dcv)).resolves.toBe(api.dcv);
  });

  it("tells functions without the CA its kind and audience, and refuses CA operations", async () => {
    wire({});
    const { api } = await composeAws(baseEnvironment);
    expect(api.ca.kind).toBe("embedded");
    expect(api.ca.audience).toBe("private");
    await expect(api.ca.rootCertificatePem()).rejects.toThrow(CaNotConfigured);
    const acme = await composeAws({ ...baseEnvironment, CERTFLOW_CA: "acme" });
    expect(acme.api.ca.audience).toBe("public");
  });

  it("builds the CA the deployment chose: embedded, or ACME with its directory and contact", async () => {
    wire({ ca: true, vault: true, dcv: true });
    const { workflow } = await composeAws(baseEnvironment);
    expect(workflow.ca.kind).toBe("embedded");
    const acme = await composeAws({
      ...baseEnvironment,
      CERTFLOW_CA: "acme",
      CERTFLOW_ACME_DIRECTORY_URL: "https://acme.ca.example/directory",
      CERTFLOW_ACME_CONTACT_EMAIL: "pki@shop.example",
      CERTFLOW_ACME_EAB_SECRET_ARN:
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:eab-AbCdEf",
    });
    expect(acme.workflow.ca).toMatchObject({ kind: "acme", audience: "public" });
    await expect(composeAws({ ...baseEnvironment, CERTFLOW_CA: "acme" })).rejects.toThrow(
      /CERTFLOW_ACME_DIRECTORY_URL is not set/,
    );
  });

  it("refuses to start without the settings the stack always sets", async () => {
    wire({ store: true });
    await expect(composeAws({ CERTFLOW_FUNCTION: "GetOrder" })).rejects.toThrow(MissingSetting);
    const { CERTFLOW_TABLE_NAME: _table, ...withoutTable } = baseEnvironment;
    await expect(composeAws(withoutTable)).rejects.toThrow(/CERTFLOW_TABLE_NAME/);
    await expect(
      composeAws({ ...baseEnvironment, CERTFLOW_VALIDATION_TIMEOUT_SECONDS: "a day" }),
    ).rejects.toThrow(/positive whole number/);
  });
});

describe("the Cognito principal", () => {
  const eventWith = (claims: Record<string, unknown> | undefined): ApiEvent => ({
    httpMethod: "GET",
    path: "/v1/orders",
    requestContext: { requestId: "r", authorizer: claims === undefined ? undefined : { claims } },
  });

  it("maps the tenant attribute and the groups claim to what the routes read", () => {
    expect(
      principalOf(
        withCognitoPrincipal(eventWith({ "custom:tenant": "acme", "cognito:groups": "customer" })),
      ),
    ).toEqual({ tenantId: "acme", role: "customer" });
    for (const groups of ["customer,operator", "[customer operator]", ["operator"]]) {
      expect(
        principalOf(
          withCognitoPrincipal(eventWith({ "custom:tenant": "ops", "cognito:groups": groups })),
        ),
      ).toEqual({ tenantId: "ops", role: "operator" });
    }
  });

  it("gives no principal (401) without a tenant, without a group, or without claims", () => {
    for (const claims of [
      { "cognito:groups": "customer" },
      { "custom:tenant": "acme" },
      { "custom:tenant": "acme", "cognito:groups": "auditors" },
      undefined,
    ]) {
      expect(() => principalOf(withCognitoPrincipal(eventWith(claims)))).toThrow(/token/);
    }
  });

  it("ignores a principal smuggled in beside the claims", () => {
    const event: ApiEvent = {
      httpMethod: "GET",
      path: "/v1/orders",
      requestContext: { authorizer: { tenantId: "victim", role: "operator" } },
    };
    expect(withCognitoPrincipal(event).requestContext?.authorizer).toEqual({});
  });
});

describe("key passphrases from Secrets Manager", () => {
  const secret = "s".repeat(64);

  it("derive exactly as the local host does, reading the secret once", async () => {
    const send = vi.fn(async () => ({ SecretString: secret }));
    const passphrases = secretsManagerPassphrases({ send } as never, "arn:secret");
    const expected = await derivedKeyPassphrases(Buffer.from(secret, "utf8")).forObject("a");
    expect(await passphrases.forObject("a")).toBe(expected);
    await passphrases.forObject("b");
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("retry after a failed read, and refuse a short secret", async () => {
    const send = vi
      .fn()
      .mockRejectedValueOnce(new Error("throttled"))
      .mockResolvedValueOnce({ SecretString: secret });
    const passphrases = secretsManagerPassphrases({ send } as never, "arn:secret");
    await expect(passphrases.forObject("a")).rejects.toThrow("throttled");
    await expect(passphrases.forObject("a")).resolves.toBeTypeOf("string");
    const short = secretsManagerPassphrases(
      { send: async () => ({ SecretString: "short" }) } as never,
      "arn:secret",
    );
    await expect(short.forObject("a")).rejects.toThrow(/32 characters/);
  });
});

describe("route handlers on AWS", () => {
  it("load, for every route of the table, that route's own handler", async () => {
    for (const route of API_ROUTES) {
      vi.stubEnv("CERTFLOW_FUNCTION", route.name);
      expect(await loadRouteHandle(), route.name).toBe(route.handle);
    }
    vi.stubEnv("CERTFLOW_FUNCTION", "NoSuchRoute");
    expect(await loadRouteHandle()).toBeUndefined();
  });
});

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
    await expect(binding()).resolves.toEqual({ kid: "kid-1", hmacKey: "c2VjcmV0LWhtYWM" });
    expect(asked).toEqual([{ SecretId: arn }]);
  });

  it.each([["not json at all: hunter2"], ['{"kid":"kid-1"}'], ['{"kid":"","hmacKey":"hunter2"}']])(
    "refuses a secret shaped %s without echoing it",
    async (secretString) => {
      const { client } = clientAnswering(secretString);
      const attempt = secretsManagerExternalAccountBinding(client, arn)();
      await expect(attempt).rejects.toThrow(/must hold JSON \{"kid"/);
      await expect(attempt).rejects.not.toThrow(/hunter2/);
    },
  );
});

describe("step functions on AWS", () => {
  it("load, for every step the state machine invokes, that step alone, parsing its own input", async () => {
    const invoked = new Set(
      taskStateBindings(readOrderDefinition()).map((binding) => binding.functionName),
    );
    expect(new Set(Object.keys(STEP_INPUTS))).toEqual(invoked);
    for (const name of invoked) {
      vi.stubEnv("CERTFLOW_FUNCTION", name);
      const run = await loadStep();
      expect(run, name).toBeTypeOf("function");
      await expect(run?.({} as never, { orderId: 42 }), name).rejects.toThrow(
        new RegExp(`^${name}: `),
      );
    }
    vi.stubEnv("CERTFLOW_FUNCTION", "NoSuchStep");
    expect(await loadStep()).toBeUndefined();
  });
});
