import { useState, type FormEvent } from "react";

import { unwrap, type ApiClients, type Profile } from "../api/client";
import { describe } from "../api/problems";
import { ActionError, Field, NO_PROBLEM, formProblem, type FormProblem } from "../forms";

export function ProfileScreen({
  api,
  profile,
  onChanged,
  onDeleted,
}: {
  api: ApiClients;
  profile: Profile;
  onChanged: (profile: Profile) => void;
  onDeleted: () => Promise<void>;
}) {
  return (
    <section aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <p>
        Email: <strong>{profile.email}</strong>
      </p>
      <ChangeName api={api} profile={profile} onChanged={onChanged} />
      <ChangePassword api={api} email={profile.email} />
      <DeleteAccount api={api} onDeleted={onDeleted} />
    </section>
  );
}

function ChangeName({ api, profile, onChanged }: { api: ApiClients; profile: Profile; onChanged: (profile: Profile) => void }) {
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);
  const [saved, setSaved] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name"));
    setProblem(NO_PROBLEM);
    setSaved(false);
    try {
      onChanged(await unwrap(api.users.PATCH("/api/v1/users/me", { body: { name } })));
      setSaved(true);
    } catch (error) {
      setProblem(formProblem(error, ["name"]));
    }
  };

  return (
    <form className="card" aria-label="Change name" onSubmit={submit} noValidate>
      <h3>Name</h3>
      <Field label="Name" name="name" defaultValue={profile.name} required error={problem.fields.name} />
      <ActionError message={problem.message} />
      {saved && <p role="status">Name saved.</p>}
      <button type="submit">Save name</button>
    </form>
  );
}

function ChangePassword({ api, email }: { api: ApiClients; email: string }) {
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);
  const [saved, setSaved] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const body = {
      current_password: String(form.get("current_password")),
      new_password: String(form.get("new_password")),
    };
    setProblem(NO_PROBLEM);
    setSaved(false);
    try {
      await unwrap(api.auth.PUT("/api/v1/auth/password", { body }));
      // A new password ends every session, this one's cookie included: log in again.
      await api.session.logIn(email, body.new_password);
      formElement.reset();
      setSaved(true);
    } catch (error) {
      const found = formProblem(error, ["current_password", "new_password"]);
      // A wrong current password is a 401 about that field.
      if (found.message === "Current password is incorrect") {
        found.fields.current_password = found.message;
        found.message = null;
      }
      setProblem(found);
    }
  };

  return (
    <form className="card" aria-label="Change password" onSubmit={submit} noValidate>
      <h3>Password</h3>
      <Field label="Current password" name="current_password" type="password" autoComplete="current-password" required error={problem.fields.current_password} />
      <Field label="New password" name="new_password" type="password" autoComplete="new-password" required minLength={8} error={problem.fields.new_password} />
      <ActionError message={problem.message} />
      {saved && <p role="status">Password changed.</p>}
      <button type="submit">Change password</button>
    </form>
  );
}

function DeleteAccount({ api, onDeleted }: { api: ApiClients; onDeleted: () => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setError(null);
    try {
      await unwrap(api.users.DELETE("/api/v1/users/me"));
      await onDeleted();
    } catch (failure) {
      setError(describe(failure));
    }
  };

  return (
    <section className="card danger-zone" aria-labelledby="delete-title">
      <h3 id="delete-title">Delete account</h3>
      <p>Deleting your account removes your profile, your sign-in and all your todos. It cannot be undone.</p>
      {confirming ? (
        <div className="row">
          <button type="button" className="danger" onClick={remove}>
            Yes, delete my account
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep my account
          </button>
        </div>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete account
        </button>
      )}
      <ActionError message={error} />
    </section>
  );
}
