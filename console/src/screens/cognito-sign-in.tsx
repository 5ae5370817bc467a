import { useState } from "preact/hooks";
import type { CognitoSignIn } from "../../../functions/api/console-config.ts";
import { beginSignIn } from "../cognito-session.ts";
import { ScreenTitle } from "../components.tsx";

/**
 * On AWS: "Sign in" goes to the Cognito managed login (authorization code with PKCE) and comes
 * back here; what went wrong on the way (a refusal, a state that does not match) is said here.
 */
export function CognitoSignInScreen(props: {
  config: CognitoSignIn;
  note?: string;
  problem?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(props.problem);

  const signIn = () => {
    setBusy(true);
    beginSignIn(props.config).catch(() => {
      setBusy(false);
      setProblem("This browser could not start the sign-in (no Web Crypto); try another browser.");
    });
  };

  return (
    <main id="main" class="sign-in">
      <ScreenTitle title="Sign in">Sign in to certflow</ScreenTitle>
      {props.note === undefined ? null : (
        <p class="note" role="status">
          {props.note}
        </p>
      )}
      {problem === undefined ? null : (
        <p class="error-note" role="alert">
          <span aria-hidden="true">✕ </span>
          {problem}
        </p>
      )}
      <p>
        You sign in on your organization's sign-in page and come back here. The session stays in
        this browser tab until you sign out or close it.
      </p>
      <button type="button" class="primary" onClick={signIn} disabled={busy}>
        {busy ? "Going to the sign-in page…" : "Sign in"}
      </button>
    </main>
  );
}
