import { useCallback, useEffect, useState } from "react";

import { unwrap, type ApiClients, type Profile } from "./api/client";
import { describe } from "./api/problems";
import { LogIn, SignUp } from "./screens/Auth";
import { ProfileScreen } from "./screens/Profile";
import { TodosScreen } from "./screens/Todos";

type Screen = "loading" | "login" | "signup" | "todos" | "profile";

export function App({ api }: { api: ApiClients }) {
  const [screen, setScreen] = useState<Screen>("loading");
  const [profile, setProfile] = useState<Profile | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [email, setEmail] = useState("");

  const enter = useCallback(async () => {
    setProfile(await unwrap(api.users.GET("/api/v1/users/me")));
    setNotice(null);
    setScreen("todos");
  }, [api]);

  const signedOut = useCallback((message: string | null) => {
    setProfile(null);
    setNotice(message);
    setScreen("login");
  }, []);

  useEffect(() => {
    // A reload keeps the user signed in: the cookie buys a new access token.
    let cancelled = false;
    api.session
      .restore()
      .then((signedIn) => (signedIn ? enter() : !cancelled && setScreen("login")))
      .catch((error: unknown) => {
        if (!cancelled) signedOut(describe(error));
      });
    return () => {
      cancelled = true;
    };
  }, [api, enter, signedOut]);

  useEffect(
    () =>
      api.session.onChange((signedIn) => {
        if (!signedIn) signedOut("Your session has ended; please log in again.");
      }),
    [api, signedOut],
  );

  const logOut = async () => {
    await api.session.logOut();
    signedOut("You are logged out.");
  };

  return (
    <div className="app">
      <header className="top">
        <h1>Todos</h1>
        {profile && (
          <nav aria-label="Main">
            <span className="who">Signed in as {profile.name}</span>
            <button type="button" onClick={() => setScreen("todos")} aria-current={screen === "todos" ? "page" : undefined}>
              My todos
            </button>
            <button type="button" onClick={() => setScreen("profile")} aria-current={screen === "profile" ? "page" : undefined}>
              Profile
            </button>
            <button type="button" onClick={logOut}>
              Log out
            </button>
          </nav>
        )}
      </header>
      <main>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {screen === "loading" && <p role="status">Loading…</p>}
        {screen === "login" && (
          <LogIn
            session={api.session}
            initialEmail={email}
            onLoggedIn={enter}
            onSignUp={() => {
              setNotice(null);
              setScreen("signup");
            }}
          />
        )}
        {screen === "signup" && (
          <SignUp
            api={api}
            onSignedUp={(newEmail) => {
              setEmail(newEmail);
              setNotice("Your account is ready; log in.");
              setScreen("login");
            }}
            onLogIn={() => setScreen("login")}
          />
        )}
        {screen === "todos" && profile && <TodosScreen api={api} />}
        {screen === "profile" && profile && (
          <ProfileScreen
            api={api}
            profile={profile}
            onChanged={setProfile}
            onDeleted={async () => {
              await api.session.logOut();
              signedOut("Your account has been deleted.");
            }}
          />
        )}
      </main>
    </div>
  );
}
