// Cognito's user-pool sign-in as the certflow command uses it: InitiateAuth (USER_PASSWORD_AUTH
// and REFRESH_TOKEN_AUTH) and RespondToAuthChallenge over its JSON API with fetch. A public app
// client needs no AWS signature. Passwords and tokens are never part of an error's message.

export interface CognitoClient {
  readonly endpoint: string;
  readonly clientId: string;
  readonly fetch: typeof fetch;
}

export interface SignedIn {
  readonly kind: "signed-in";
  readonly idToken: string;
  /** Absent after a refresh: the one from the sign-in stays valid. */
  readonly refreshToken?: string;
  readonly expiresInSeconds: number;
}

export interface Challenge {
  readonly kind: "challenge";
  readonly name: string;
  readonly session: string;
}

/** Cognito refused (`__type` without its namespace, and Cognito's message). */
export class CognitoRefusal extends Error {
  override readonly name = "CognitoRefusal";
  readonly type: string;

  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

/** Cognito's endpoint in `region`, or CERTFLOW_COGNITO_ENDPOINT (tests, private endpoints). */
export function cognitoEndpoint(
  region: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return env.CERTFLOW_COGNITO_ENDPOINT ?? `https://cognito-idp.${region}.amazonaws.com/`;
}

async function call(
  client: CognitoClient,
  action: "InitiateAuth" | "RespondToAuthChallenge",
  body: Record<string, unknown>,
): Promise<SignedIn | Challenge> {
  let response: Response;
  try {
    response = await client.fetch(client.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify({ ClientId: client.clientId, ...body }),
    });
  } catch {
    throw new CognitoRefusal("Unreachable", `Cognito did not answer at ${client.endpoint}.`);
  }
  let answer: Record<string, unknown> = {};
  try {
    answer = (await response.json()) as Record<string, unknown>;
  } catch {
    answer = {};
  }
  if (!response.ok) {
    const type = String(answer.__type ?? `HTTP_${response.status}`).replace(/^.*#/, "");
    const message = typeof answer.message === "string" ? answer.message : "";
    throw new CognitoRefusal(type, message);
  }
  const result = answer.AuthenticationResult as Record<string, unknown> | undefined;
  if (typeof result?.IdToken === "string") {
    return {
      kind: "signed-in",
      idToken: result.IdToken,
      ...(typeof result.RefreshToken === "string" ? { refreshToken: result.RefreshToken } : {}),
      expiresInSeconds: typeof result.ExpiresIn === "number" ? result.ExpiresIn : 3600,
    };
  }
  if (typeof answer.ChallengeName === "string" && typeof answer.Session === "string") {
    return { kind: "challenge", name: answer.ChallengeName, session: answer.Session };
  }
  throw new CognitoRefusal("UnexpectedAnswer", "Cognito answered without tokens or a challenge.");
}

export const signInWithPassword = (client: CognitoClient, username: string, password: string) =>
  call(client, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });

export const answerMfa = (
  client: CognitoClient,
  challenge: Challenge,
  username: string,
  code: string,
) =>
  call(client, "RespondToAuthChallenge", {
    ChallengeName: challenge.name,
    Session: challenge.session,
    ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code },
  });

export const refreshSignIn = (client: CognitoClient, refreshToken: string) =>
  call(client, "InitiateAuth", {
    AuthFlow: "REFRESH_TOKEN_AUTH",
    AuthParameters: { REFRESH_TOKEN: refreshToken },
  });

/** Cognito's refusals in words for the command's user. */
export function refusalWords(refusal: CognitoRefusal): string {
  switch (refusal.type) {
    case "NotAuthorizedException":
    case "UserNotFoundException":
      return `the user name or password is wrong (${refusal.message || "NotAuthorizedException"}).`;
    case "PasswordResetRequiredException":
      return "the password must be reset first: use 'Forgot your password?' on the console's sign-in page.";
    case "UserNotConfirmedException":
      return "this user is not confirmed yet; ask your administrator.";
    case "CodeMismatchException":
    case "ExpiredCodeException":
      return "the MFA code is wrong or has expired; run certflow login again.";
    case "TooManyRequestsException":
    case "LimitExceededException":
      return "Cognito asks to slow down; try again in a minute.";
    case "ResourceNotFoundException":
      return "Cognito knows no such app client in this region; check --user-pool-client-id and --region.";
    case "InvalidParameterException":
      return `Cognito refused the request: ${refusal.message} (is USER_PASSWORD_AUTH enabled for this app client?)`;
    default:
      return `Cognito refused: ${refusal.type}${refusal.message === "" ? "" : `: ${refusal.message}`}`;
  }
}
