import { useState, type FormEvent } from "react";

import { unwrap, type ApiClients } from "../api/client";
import type { Session } from "../api/session";
import { ActionError, Field, NO_PROBLEM, formProblem, type FormProblem } from "../forms";

export function LogIn({
  session,
  initialEmail,
  onLoggedIn,
  onSignUp,
}: {
  session: Session;
  initialEmail: string;
  onLoggedIn: () => Promise<void>;
  onSignUp: () => void;
}) {
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setProblem(NO_PROBLEM);
    try {
      await session.logIn(String(form.get("email")), String(form.get("password")));
      await onLoggedIn();
    } catch (error) {
      // The login form sends the email as OAuth2's `username`.
      const found = formProblem(error, ["username", "password"]);
      setProblem({ ...found, fields: { email: found.fields.username, password: found.fields.password } });
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="login-title" className="card narrow">
      <h2 id="login-title">Log in</h2>
      <form onSubmit={submit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="username" required defaultValue={initialEmail} error={problem.fields.email} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required error={problem.fields.password} />
        <ActionError message={problem.message} />
        <button type="submit" disabled={busy}>
          Log in
        </button>
      </form>
      <p>
        No account yet?{" "}
        <button type="button" className="link" onClick={onSignUp}>
          Sign up
        </button>
      </p>
    </section>
  );
}

export function SignUp({
  api,
  onSignedUp,
  onLogIn,
}: {
  api: ApiClients;
  onSignedUp: (email: string) => void;
  onLogIn: () => void;
}) {
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      name: String(form.get("name")),
      email: String(form.get("email")),
      password: String(form.get("password")),
    };
    setBusy(true);
    setProblem(NO_PROBLEM);
    try {
      const account = await unwrap(api.auth.POST("/api/v1/auth/register", { body }));
      onSignedUp(account.email);
    } catch (error) {
      setProblem(formProblem(error, ["name", "email", "password"]));
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="signup-title" className="card narrow">
      <h2 id="signup-title">Sign up</h2>
      <form onSubmit={submit} noValidate>
        <Field label="Name" name="name" autoComplete="name" required error={problem.fields.name} />
        <Field label="Email" name="email" type="email" autoComplete="email" required error={problem.fields.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          error={problem.fields.password}
        />
        <ActionError message={problem.message} />
        <button type="submit" disabled={busy}>
          Create account
        </button>
      </form>
      <p>
        Already have an account?{" "}
        <button type="button" className="link" onClick={onLogIn}>
          Log in instead
        </button>
      </p>
    </section>
  );
}
