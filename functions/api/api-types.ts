/** The subset of an API Gateway REST (proxy) event the handlers read. */
export interface ApiEvent {
  readonly httpMethod: string;
  readonly path: string;
  readonly pathParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: {
    readonly requestId?: string;
    readonly authorizer?: Readonly<Record<string, unknown>> | null;
  };
}

export interface ApiResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}

export type Role = "customer" | "operator";

export interface Principal {
  readonly tenantId: string;
  readonly role: Role;
}
