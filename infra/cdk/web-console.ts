import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import type { IRestApi } from "aws-cdk-lib/aws-apigateway";
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import {
  CfnManagedLoginBranding,
  ClientAttributes,
  type IUserPool,
  ManagedLoginVersion,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from "aws-cdk-lib/aws-cognito";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { BucketDeployment, CacheControl, Source } from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import {
  CONSOLE_CONFIG_PATH,
  type ConsoleConfig,
  consoleCsp,
} from "../../functions/api/console-config.ts";
import { STAGE_NAME } from "./rest-api.ts";

/** What the console asks Cognito for: an ID token naming the user (the API reads its claims). */
export const CONSOLE_SCOPES = [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE];

/** The error statuses CloudFront lets a distribution set the caching of. */
export const CLOUDFRONT_ERROR_CODES = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

/** The path pattern CloudFront sends to the REST API; every route starts with /v1. */
export const API_PATH_PATTERN = "/v1/*";

/** Words Cognito refuses in a prefix domain. */
const RESERVED_IN_PREFIX = /aws|amazon|cognito/g;

/**
 * The Cognito prefix domain used when the deployment names none: the stack's name and the
 * account, `certflow-123456789012` (prefixes are unique per region across all of AWS; the
 * account id keeps them apart). The account may be a CloudFormation token.
 */
export function defaultConsoleDomainPrefix(stackName: string, account: string): string {
  const name = stackName
    .toLowerCase()
    .replace(RESERVED_IN_PREFIX, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return `${name === "" ? "certflow" : name}-${account}`;
}

export interface WebConsoleProps {
  /** The REST API, reached under /v1/* of the console's own origin. */
  readonly api: IRestApi;
  readonly userPool: IUserPool;
  /** The Cognito prefix domain of the managed login (`<prefix>.auth.<region>.amazoncognito.com`). */
  readonly domainPrefix: string;
  /** The console build to deploy (infra/cdk/console-build.ts). */
  readonly buildFolder: string;
}

/**
 * The web console on AWS: its files in a private bucket behind CloudFront (origin access
 * control), the REST API behind the same distribution under /v1/* (one origin: no CORS, and the
 * CSP's `connect-src 'self'` holds), and Cognito's managed login with a public app client
 * (authorization code with PKCE) whose endpoints the console reads from /console-config.json.
 */
export class WebConsole extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly domain: UserPoolDomain;
  readonly client: UserPoolClient;
  readonly deployment: BucketDeployment;
  /** https://<distribution domain>/ */
  readonly url: string;
  /** https://<prefix>.auth.<region>.amazoncognito.com, the managed login's origin. */
  readonly signInOrigin: string;

  constructor(scope: Construct, id: string, props: WebConsoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // CloudFront's names are global to the account: the region keeps two deployments of one
    // stack name apart.
    const globalName = (what: string) => `${stack.stackName.slice(0, 30)}-${what}-${stack.region}`;

    this.bucket = new Bucket(this, "Files", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Only build output, emptied by the deployment below when the stack is deleted.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "Only CloudFront reads this bucket (origin access control), and the distribution's own access logs record every request for the console's files.",
    });

    this.domain = new UserPoolDomain(this, "SignInDomain", {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix: props.domainPrefix },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.signInOrigin = this.domain.baseUrl();

    const securityHeaders = new ResponseHeadersPolicy(this, "SecurityHeaders", {
      responseHeadersPolicyName: globalName("headers"),
      comment: "certflow web console: the CSP and security headers the local host sends",
      securityHeadersBehavior: {
        // The token endpoint is fetched by the page (code exchange, refresh); the authorize and
        // logout endpoints are navigations, which connect-src does not govern.
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleCsp([this.signInOrigin]),
          override: true,
        },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: false,
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: "Cross-Origin-Opener-Policy", value: "same-origin", override: true },
          { header: "Cross-Origin-Resource-Policy", value: "same-origin", override: true },
        ],
      },
    });

    const logs = new Bucket(this, "AccessLogs", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs are delivered with an ACL grant.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: "expire-access-logs", expiration: Duration.days(90) }],
    });
    Validations.of(logs).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "This bucket holds the distribution's access logs; logging its own access would recurse.",
    });

    const apiDomain = `${props.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.distribution = new Distribution(this, "Distribution", {
      comment: "certflow web console and REST API",
      defaultRootObject: "index.html",
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: "console/",
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessControl: new S3OriginAccessControl(this, "FilesAccess", {
            originAccessControlName: globalName("files"),
            description: "certflow web console: CloudFront reads the console's files",
          }),
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
      },
      additionalBehaviors: {
        // /v1/orders reaches the stage's /v1/orders resource: the origin path is the stage.
        // Host must not be forwarded (API Gateway routes by its own host name); everything else
        // is, Authorization included. Nothing is cached: every answer is per caller.
        [API_PATH_PATTERN]: {
          origin: new HttpOrigin(apiDomain, {
            originPath: `/${STAGE_NAME}`,
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          }),
          // A redirected POST would lose its body: plain http is refused instead.
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          compress: false,
        },
      },
      // CloudFront keeps error answers 10 s by default, whatever the cache policy, under a key
      // without Authorization: one caller's 403 or 404 would be served to the next. Not kept.
      errorResponses: CLOUDFRONT_ERROR_CODES.map((httpStatus) => ({
        httpStatus,
        ttl: Duration.seconds(0),
      })),
    });
    this.url = `https://${this.distribution.distributionDomainName}/`;
    Validations.of(this.distribution).acknowledge({
      id: "AwsSolutions-CFR1",
      reason:
        "Customers and operators sign in from wherever they are; the API behind it has no geographic limits either.",
    });
    Validations.of(this.distribution).acknowledge({
      id: "AwsSolutions-CFR2",
      reason:
        "AWS WAF costs at least a web ACL per month; the API stage throttles every caller and every route but two read-only ones needs a Cognito token. Attach a web ACL when the deployment calls for it.",
    });
    Validations.of(this.distribution).acknowledge({
      id: "AwsSolutions-CFR4",
      reason:
        "The distribution uses CloudFront's default *.cloudfront.net certificate, whose security policy CloudFront fixes; a custom domain with its ACM certificate can set TLSv1.2_2021.",
    });

    // Public client: the console runs in the browser and keeps no secret (PKCE instead). The API's
    // Cognito authorizer accepts ID tokens of any client of the pool: it checks the pool, not
    // the client.
    this.client = new UserPoolClient(this, "ConsoleClient", {
      userPool: props.userPool,
      userPoolClientName: "certflow-console",
      generateSecret: false,
      // Managed login signs in with SRP; the console itself only redeems codes and refreshes.
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: CONSOLE_SCOPES,
        callbackUrls: [this.url],
        logoutUrls: [this.url],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
      // As the API's client: users may change their name through it, nothing else.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    const branding = new CfnManagedLoginBranding(this, "SignInBranding", {
      userPoolId: props.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    branding.node.addDependency(this.domain);

    const config: ConsoleConfig = {
      signIn: {
        kind: "cognito",
        authorizeUrl: `${this.signInOrigin}/oauth2/authorize`,
        tokenUrl: `${this.signInOrigin}/oauth2/token`,
        logoutUrl: `${this.signInOrigin}/logout`,
        clientId: this.client.userPoolClientId,
        scopes: CONSOLE_SCOPES.map((scope) => scope.scopeName),
      },
    };
    this.deployment = new BucketDeployment(this, "Deployment", {
      sources: [
        Source.asset(props.buildFolder),
        Source.jsonData(CONSOLE_CONFIG_PATH.replace(/^\//, ""), config),
      ],
      destinationBucket: this.bucket,
      // The file names carry no content hash: browsers ask again each time (a 304 when
      // unchanged), and the invalidation below clears CloudFront's copies on every deployment.
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ["/*"],
      retainOnDelete: false,
    });
    this.#acknowledgeDeploymentHandler();
  }

  /** The findings on CDK's own deployment function (one per stack, shared by deployments). */
  #acknowledgeDeploymentHandler(): void {
    Validations.of(this.deployment).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "The deployment's custom resource invalidates the distribution after copying (cloudfront:CreateInvalidation and GetInvalidation as CDK grants them).",
    });
    const handler = this.deployment.handlerRole.node.scope;
    if (handler === undefined) return;
    Validations.of(handler).acknowledge({
      id: "AwsSolutions-L1",
      reason:
        "CDK's BucketDeployment handler (Python with the AWS CLI layer) picks its runtime; it runs only during deployments.",
    });
    Validations.of(handler).acknowledge({
      id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      reason:
        "CDK's BucketDeployment handler role: the AWS managed policy grants only writing its own CloudWatch logs.",
    });
    const reason =
      "CDK's BucketDeployment handler copies the build from the CDK assets bucket into the console bucket and prunes old files: it reads the asset objects and writes and deletes objects of the console bucket only.";
    for (const finding of [
      "Action::s3:GetBucket*",
      "Action::s3:GetObject*",
      "Action::s3:List*",
      "Action::s3:Abort*",
      "Action::s3:DeleteObject*",
      "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
      `Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*`,
    ]) {
      Validations.of(handler).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
  }
}
