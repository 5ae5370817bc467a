import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import {
  AccessLogFormat,
  AuthorizationType,
  type CfnRestApi,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  type IResource,
  type JsonSchema,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Model,
  RequestValidator,
  ResponseType,
  RestApi,
} from "aws-cdk-lib/aws-apigateway";
import {
  AccountRecovery,
  ClientAttributes,
  Mfa,
  StringAttribute,
  UserPool,
  UserPoolGroup,
} from "aws-cdk-lib/aws-cognito";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { z } from "zod";
import { bodyTooLarge } from "../../functions/api/request-body.ts";
import {
  binaryRequestMediaTypes,
  isRawBody,
  type JsonRouteBody,
  type RouteDeclaration,
} from "../../functions/api/route-declaration.ts";
import type { Declared } from "../../functions/composition/service-catalog.ts";
import { COGNITO_PRINCIPAL } from "../../functions/lambda/cognito-principal.ts";
import { ServiceFunction, type ServiceResources } from "./service-function.ts";

export const STAGE_NAME = "prod";

/**
 * Media types API Gateway hands back as bytes when asked with Accept: certificate downloads,
 * confirmation letters (GET /v1/orders/{id}/documents/{docId}) and the embedded CA's CRL
 * (GET /v1/ca/crl). The REST API's binary media
 * types are these and the Content-Types of every raw request body the routes declare, which
 * API Gateway passes to the route's function base64-encoded (addRoutes).
 */
export const BINARY_MEDIA_TYPES = [
  "application/zip",
  "application/x-pkcs12",
  "application/x-pem-file",
  "image/png",
  "image/jpeg",
  "application/pkix-crl",
] as const;

/** A route's request body model: its declared zod schema, as JSON Schema draft 4. */
export function requestBodyModel(body: JsonRouteBody<unknown>): JsonSchema {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(body.schema, {
    target: "draft-4",
    io: "input",
  }) as Record<string, unknown>;
  return { schema: "http://json-schema.org/draft-04/schema#", ...schema } as JsonSchema;
}

const errorBody = (code: string, message: string) =>
  JSON.stringify({ error: { code, message } }).replace("$MESSAGE", "$context.error.message");

/**
 * The REST API of the routes declared in functions/api/routes: one function per route behind a Cognito user
 * pool authorizer. The tenant is the user's `custom:tenant` attribute (set by an administrator,
 * not writable by users), the role is membership of the `customer` or `operator` group.
 */
export class CertflowApi extends Construct {
  readonly api: RestApi;
  readonly userPool: UserPool;
  readonly clientId: string;
  readonly routes = new Map<string, ServiceFunction>();
  readonly accessLogs: LogGroup;
  /** The URL customers reach the API under (used in mails and Location headers). */
  readonly publicUrl: string;
  readonly #authorizer: CognitoUserPoolsAuthorizer;
  readonly #validator: RequestValidator;

  constructor(
    scope: Construct,
    id: string,
    props: {
      logRetention: RetentionDays;
      throttle: { rateLimit: number; burstLimit: number };
    },
  ) {
    super(scope, id);

    this.userPool = new UserPool(this, "Users", {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      customAttributes: {
        [COGNITO_PRINCIPAL.tenantAttribute]: new StringAttribute({
          minLen: 1,
          maxLen: 64,
          mutable: false,
        }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: "AwsSolutions-COG2",
      reason:
        "MFA is offered (TOTP) but not forced: API clients of customers sign in from scripts. Operators should enable it; a deployment can set Mfa.REQUIRED.",
    });
    Validations.of(this.userPool).acknowledge({
      id: "AwsSolutions-COG3",
      reason:
        "Threat protection needs the Plus feature plan (billed per active user); accounts that want it switch the plan on the pool.",
    });
    Validations.of(this.userPool).acknowledge({
      id: "AwsSolutions-COG8",
      reason:
        "The Plus feature plan is billed per monthly active user and only adds threat protection (see COG3); the Essentials plan covers sign-in, groups and MFA.",
    });
    for (const group of [COGNITO_PRINCIPAL.customerGroup, COGNITO_PRINCIPAL.operatorGroup]) {
      new UserPoolGroup(this, `${group}Group`, {
        userPool: this.userPool,
        groupName: group,
        description: `certflow ${group}s`,
      });
    }
    const client = this.userPool.addClient("ApiClient", {
      authFlows: { userPassword: true, userSrp: true },
      // Signs in through the user pool's API only. With OAuth on (CDK's default: implicit grant,
      // callback https://example.com), the managed login's domain would hand its tokens there.
      disableOAuth: true,
      generateSecret: false,
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      // Users may change their name, never their tenant.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    this.clientId = client.userPoolClientId;

    this.accessLogs = new LogGroup(this, "AccessLogs", {
      retention: props.logRetention,
    });
    this.api = new RestApi(this, "Api", {
      description: "certflow REST API v1",
      endpointTypes: [EndpointType.REGIONAL],
      binaryMediaTypes: [...BINARY_MEDIA_TYPES],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        tracingEnabled: true,
        metricsEnabled: true,
        // Errors only, and never request or response bodies (they carry CSRs and passwords).
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
    });
    const stack = Stack.of(this);
    this.publicUrl = `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${STAGE_NAME}`;
    Validations.of(this.api).acknowledge({
      id: "AwsSolutions-APIG3",
      reason:
        "AWS WAF costs at least a web ACL per month; the stage throttles every caller and all but two read-only routes need a Cognito token. Attach a web ACL to the stage when the deployment calls for it.",
    });
    Validations.of(this).acknowledge({
      id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
      reason:
        "API Gateway's account-wide logging role: the AWS managed policy is the one AWS documents for it and grants only CloudWatch Logs writes.",
    });

    this.#gatewayResponses();
    this.#authorizer = new CognitoUserPoolsAuthorizer(this, "Authorizer", {
      cognitoUserPools: [this.userPool],
      identitySource: "method.request.header.Authorization",
      resultsCacheTtl: Duration.minutes(5),
    });
    this.#validator = new RequestValidator(this, "Validator", {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
  }

  /** One function and method per declared route, with the permissions its needs name. */
  addRoutes(resources: ServiceResources, routes: readonly Declared<RouteDeclaration>[]): void {
    // Known once the routes are: a raw body's Content-Types reach its function as bytes.
    const restApi = this.api.node.defaultChild as CfnRestApi;
    restApi.binaryMediaTypes = [
      ...new Set([
        ...(restApi.binaryMediaTypes ?? []),
        ...binaryRequestMediaTypes(routes.map(({ declaration }) => declaration)),
      ]),
    ];
    // The stage serves what was deployed: a change of the binary media types deploys anew.
    this.api.latestDeployment?.addToLogicalId({ binaryMediaTypes: restApi.binaryMediaTypes });
    for (const declared of routes) {
      const route = declared.declaration;
      const routeFunction = new ServiceFunction(this, route.name, {
        detail: `${route.method} ${route.path}`,
        handler: { kind: "route", name: route.name, declared },
        resources,
        // API Gateway waits 29 s for an integration.
        timeout: Duration.seconds(25),
      });
      this.routes.set(route.name, routeFunction);
      const isPublic = route.access === "public";
      const method = this.#resourceFor(route).addMethod(
        route.method,
        new LambdaIntegration(routeFunction.function, { proxy: true, allowTestInvoke: false }),
        {
          operationName: route.name,
          requestValidator: this.#validator,
          // A raw body (bytes) has no model: its route reads and checks it.
          requestModels:
            route.body === undefined || isRawBody(route.body)
              ? undefined
              : {
                  [route.body.contentType]: new Model(this, `${route.name}Body`, {
                    restApi: this.api,
                    contentType: route.body.contentType,
                    description: `${route.method} ${route.path} body (declared in ${declared.modulePath})`,
                    schema: requestBodyModel(route.body),
                  }),
                },
          ...(isPublic
            ? { authorizationType: AuthorizationType.NONE }
            : { authorizationType: AuthorizationType.COGNITO, authorizer: this.#authorizer }),
        },
      );
      if (isPublic) {
        const reason = `${route.method} ${route.path} is public by design (declared public in ${declared.modulePath}): it serves non-secret facts.`;
        Validations.of(method).acknowledge({ id: "AwsSolutions-APIG4", reason });
        Validations.of(method).acknowledge({ id: "AwsSolutions-COG4", reason });
      }
    }
  }

  #resourceFor(route: { readonly path: string }): IResource {
    let resource: IResource = this.api.root;
    for (const part of route.path.split("/").filter((segment) => segment !== "")) {
      resource = resource.getResource(part) ?? resource.addResource(part);
    }
    return resource;
  }

  /** API Gateway's own answers (bad token, throttled, invalid body…) in the API's error shape. */
  #gatewayResponses(): void {
    const json = (code: string, message: string) => ({
      "application/json": errorBody(code, message),
    });
    const responses: [ResponseType, string, string, string][] = [
      [
        ResponseType.UNAUTHORIZED,
        "401",
        "UNAUTHENTICATED",
        "Send a valid token as 'Authorization: Bearer <ID token>'.",
      ],
      [ResponseType.ACCESS_DENIED, "403", "FORBIDDEN", "$MESSAGE"],
      [ResponseType.MISSING_AUTHENTICATION_TOKEN, "404", "NOT_FOUND", "No such route."],
      [ResponseType.THROTTLED, "429", "THROTTLED", "Too many requests; retry later."],
      // API Gateway's own cap is 10 MB; the routes refuse anything over theirs (1 MiB) with 413.
      [ResponseType.REQUEST_TOO_LARGE, "413", "BODY_TOO_LARGE", bodyTooLarge().message],
      // The validator's own detail is not JSON-safe; the message is ("Invalid request body").
      [ResponseType.BAD_REQUEST_BODY, "400", "INVALID_REQUEST", "$MESSAGE"],
      [ResponseType.BAD_REQUEST_PARAMETERS, "400", "INVALID_REQUEST", "$MESSAGE"],
      [ResponseType.DEFAULT_4XX, "", "REQUEST_REFUSED", "$MESSAGE"],
      [ResponseType.DEFAULT_5XX, "", "INTERNAL", "Something went wrong on our side; please retry."],
    ];
    for (const [type, statusCode, code, message] of responses) {
      this.api.addGatewayResponse(`Response${type.responseType}`, {
        type,
        statusCode: statusCode === "" ? undefined : statusCode,
        templates: json(code, message),
      });
    }
  }
}
