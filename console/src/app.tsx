// The console's frame: sign-in (the pasted token, or Cognito's managed login where the console
// config says so) until the API knows the caller, then the navigation of the caller's role and
// the screen the URL's fragment names.
import { useEffect, useState } from "preact/hooks";
import type { ConsoleConfig } from "../../functions/api/console-config.ts";
import {
  ApiFailure,
  api,
  type Caller,
  type ServiceInfo,
  session,
  whenUnauthenticated,
} from "./api.ts";
import {
  completeSignIn,
  keepSignedIn,
  loadConsoleConfig,
  signOutOfCognito,
} from "./cognito-session.ts";
import { Announcer, ErrorNote, Loading, ScreenTitle } from "./components.tsx";
import { hrefOf, type Route, useRoute } from "./router.ts";
import { CognitoSignInScreen } from "./screens/cognito-sign-in.tsx";
import { ExecutionScreen } from "./screens/execution.tsx";
import { FindOrderScreen } from "./screens/find-order.tsx";
import { NewOrderScreen } from "./screens/new-order.tsx";
import { OrderScreen } from "./screens/order.tsx";
import { OrderListScreen } from "./screens/order-list.tsx";
import { ReviewQueueScreen } from "./screens/review-queue.tsx";
import { SignInScreen } from "./screens/sign-in.tsx";

export function App() {
  const [caller, setCaller] = useState<Caller | undefined>();
  const [service, setService] = useState<ServiceInfo | undefined>();
  const [config, setConfig] = useState<ConsoleConfig | undefined>();
  const [checking, setChecking] = useState(true);
  const [signInNote, setSignInNote] = useState<string | undefined>();
  const [signInProblem, setSignInProblem] = useState<string | undefined>();
  const route = useRoute();

  useEffect(() => {
    whenUnauthenticated(() => {
      session.signOut();
      setCaller(undefined);
      setSignInNote("The service no longer accepts your sign-in; sign in again.");
    });
    api<ServiceInfo>("GET", "/v1/service-info")
      .then(setService)
      .catch(() => setService({ ca: "embedded" }));
    let signedInNow = false;
    (async () => {
      const loaded = await loadConsoleConfig();
      setConfig(loaded);
      if (loaded.signIn.kind === "cognito") {
        keepSignedIn(loaded.signIn);
        try {
          signedInNow = await completeSignIn(loaded.signIn);
        } catch (error) {
          setSignInProblem(error instanceof Error ? error.message : String(error));
          return;
        }
      }
      if (session.token() === undefined) return;
      setCaller(await api<Caller>("GET", "/v1/whoami"));
    })()
      .catch((error: unknown) => {
        if (!(error instanceof ApiFailure)) return;
        if (error.status !== 401) setSignInProblem(error.message);
        else if (signedInNow) {
          // Not an ended session: the user pool knows the user, the API gives it no role.
          setSignInNote(undefined);
          setSignInProblem(
            "You signed in, but the service does not accept your user: it needs a tenant and the customer or operator group. Ask your administrator.",
          );
        }
        // Any other refused token is said by whenUnauthenticated.
      })
      .finally(() => setChecking(false));
  }, []);

  const signOut = () => {
    if (config?.signIn.kind === "cognito") {
      signOutOfCognito(config.signIn);
      return;
    }
    session.signOut();
    setCaller(undefined);
    setSignInNote("Signed out. The token was removed from this tab.");
  };

  if (checking) return <Loading what="your session" />;
  if (caller === undefined && config?.signIn.kind === "cognito") {
    return (
      <>
        <Announcer />
        <CognitoSignInScreen config={config.signIn} note={signInNote} problem={signInProblem} />
      </>
    );
  }
  if (caller === undefined) {
    return (
      <>
        <Announcer />
        <SignInScreen
          note={signInNote}
          onSignedIn={(signedIn) => {
            setSignInNote(undefined);
            setCaller(signedIn);
          }}
        />
      </>
    );
  }
  return (
    <>
      <button type="button" class="skip-link" onClick={skipToMain}>
        Skip to the screen's content
      </button>
      <Announcer />
      <Header caller={caller} route={route} onSignOut={signOut} />
      <main id="main" tabIndex={-1}>
        <Screen route={route} caller={caller} service={service ?? { ca: "embedded" }} />
      </main>
    </>
  );
}

/** The fragment routes the screens, so the skip link moves focus rather than the fragment. */
function skipToMain() {
  const heading = document.querySelector<HTMLElement>("main h1");
  (heading ?? document.getElementById("main"))?.focus();
}

function Header(props: { caller: Caller; route: Route; onSignOut: () => void }) {
  const { caller, route } = props;
  const links: { route: Route; label: string; current: boolean }[] =
    caller.role === "operator"
      ? [
          {
            route: { screen: "reviews" },
            label: "Review queue",
            current: route.screen === "reviews" || route.screen === "home",
          },
          { route: { screen: "find" }, label: "Find an order", current: route.screen === "find" },
          { route: { screen: "orders" }, label: "Own orders", current: route.screen === "orders" },
        ]
      : [
          {
            route: { screen: "orders" },
            label: "Orders",
            current: route.screen === "orders" || route.screen === "home",
          },
          {
            route: { screen: "new-order" },
            label: "New order",
            current: route.screen === "new-order",
          },
        ];
  return (
    <header class="top">
      <p class="brand">
        <a href="#/">certflow</a>
      </p>
      <nav aria-label="Main">
        <ul>
          {links.map((link) => (
            <li key={link.label}>
              <a href={hrefOf(link.route)} aria-current={link.current ? "page" : undefined}>
                {link.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <p class="who">
        <span>
          {caller.role === "operator" ? "Operator" : "Customer"} · tenant{" "}
          <strong>{caller.tenantId}</strong>
        </span>
        <button type="button" class="link-button" onClick={props.onSignOut}>
          Sign out
        </button>
      </p>
    </header>
  );
}

function Screen({
  route,
  caller,
  service,
}: {
  route: Route;
  caller: Caller;
  service: ServiceInfo;
}) {
  switch (route.screen) {
    case "home":
      return caller.role === "operator" ? <ReviewQueueScreen /> : <OrderListScreen route={{}} />;
    case "orders":
      return <OrderListScreen route={route} />;
    case "new-order":
      return <NewOrderScreen service={service} />;
    case "order":
      return <OrderScreen orderId={route.orderId} caller={caller} />;
    case "execution":
      return caller.role === "operator" ? (
        <ExecutionScreen orderId={route.orderId} />
      ) : (
        <OperatorsOnly />
      );
    case "reviews":
      return caller.role === "operator" ? <ReviewQueueScreen /> : <OperatorsOnly />;
    case "find":
      return <FindOrderScreen />;
    case "not-found":
      return (
        <>
          <ScreenTitle title="Not found">Nothing here</ScreenTitle>
          <p>
            The console has no screen at <code>#/{route.path}</code>.{" "}
            <a href="#/">Go to the start</a>.
          </p>
        </>
      );
  }
}

function OperatorsOnly() {
  return (
    <>
      <ScreenTitle title="For operators">For operators</ScreenTitle>
      <ErrorNote
        problem={{
          code: "FORBIDDEN",
          message: "This screen is for the operator role; sign in with an operator token.",
        }}
      />
    </>
  );
}
