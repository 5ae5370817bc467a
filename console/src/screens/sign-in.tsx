import { useState } from "preact/hooks";
import { ApiFailure, api, type Caller, session } from "../api.ts";
import { describedBy, FieldProblems, ScreenTitle } from "../components.tsx";

/**
 * Locally: the API token `npm start` printed, pasted once and kept in this tab's sessionStorage
 * (never in a URL). The role comes from the API (GET /v1/whoami), not from the token's looks.
 */
export function SignInScreen(props: { note?: string; onSignedIn: (caller: Caller) => void }) {
  const [token, setToken] = useState("");
  const [failure, setFailure] = useState<{ code: string; message: string } | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const pasted = token.trim();
    if (pasted === "") {
      setFailure({ code: "TOKEN_REQUIRED", message: "Paste the token npm start printed." });
      document.getElementById("sign-in-token")?.focus();
      return;
    }
    setBusy(true);
    try {
      const caller = await api<Caller>("GET", "/v1/whoami", { token: pasted });
      session.signIn(pasted);
      props.onSignedIn(caller);
    } catch (error) {
      setFailure(
        error instanceof ApiFailure && error.status === 401
          ? { code: error.code, message: "The service does not know this token." }
          : error instanceof ApiFailure
            ? { code: error.code, message: error.message }
            : { code: "UNEXPECTED", message: String(error) },
      );
      document.getElementById("sign-in-token")?.focus();
    } finally {
      setBusy(false);
    }
  };

  const problems = failure === undefined ? [] : [failure];
  return (
    <main id="main" class="sign-in">
      <ScreenTitle title="Sign in">Sign in to certflow</ScreenTitle>
      {props.note === undefined ? null : (
        <p class="note" role="status">
          {props.note}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <div class="field">
          <label for="sign-in-token">API token</label>
          <p class="hint" id="sign-in-token-hint">
            <code>npm start</code> prints a customer and an operator token (they are also kept in
            the data directory's token file). The token stays in this browser tab until you sign out
            or close it.
          </p>
          <input
            id="sign-in-token"
            type="password"
            autoComplete="off"
            spellcheck={false}
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
            aria-invalid={failure === undefined ? undefined : "true"}
            aria-describedby={describedBy("sign-in-token", true, problems)}
          />
          <FieldProblems id="sign-in-token" problems={problems} />
        </div>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
