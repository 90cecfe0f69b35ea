// One user: e-mail, name, role and active (PATCH /api/v1/users/{id}), a new password
// (PUT …/password), verification (POST …/verify) and deactivation (DELETE, PATCH is_active).
import { useState } from "preact/hooks";
import { api, ApiError } from "../../lib/api.ts";
import { Checkbox, SelectField, TextField } from "../../ui/field.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";
import { notify } from "../../ui/toast.tsx";
import type { RoleRow } from "./options.ts";
import type { UserRow } from "./user-types.ts";
import { when } from "./use-load.ts";

export function UserEdit({ user, roles, onChanged }: { user: UserRow; roles: RoleRow[]; onChanged: (u: UserRow | null) => void }) {
  const [email, setEmail] = useState(user.email);
  const [name, setName] = useState(user.name ?? "");
  const [role, setRole] = useState(user.role_name);
  const [active, setActive] = useState(user.is_active);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [pwError, setPwError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function run(what: () => Promise<UserRow | null>, done: string, onError = setError) {
    setBusy(true);
    onError(null);
    try {
      const u = await what();
      notify(done);
      onChanged(u);
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  }
  const save = (e: Event) => {
    e.preventDefault();
    return run(() => api<UserRow>("PATCH", `/api/v1/users/${user.id}`, { body: { email, name: name || null, role_id: role, is_active: active } }), `${email} saved`);
  };
  const setNewPassword = (e: Event) => {
    e.preventDefault();
    return run(
      async () => {
        await api("PUT", `/api/v1/users/${user.id}/password`, { body: { new_password: password } });
        setPassword("");
        return user;
      },
      `New password set for ${user.email}; their sessions ended`,
      setPwError,
    );
  };
  const verify = () => run(() => api<UserRow>("POST", `/api/v1/users/${user.id}/verify`), `${user.email} is verified`);
  const deactivate = () =>
    confirm(`Deactivate ${user.email}? They are signed out and their API keys stop working.`) &&
    run(async () => {
      await api("DELETE", `/api/v1/users/${user.id}`);
      return { ...user, is_active: false };
    }, `${user.email} deactivated`);
  const reactivate = () => run(() => api<UserRow>("PATCH", `/api/v1/users/${user.id}`, { body: { is_active: true } }), `${user.email} reactivated`);

  const f = error instanceof ApiError ? error.fields : {};
  const pf = pwError instanceof ApiError ? pwError.fields : {};
  const roleOptions = roles.some((r) => r.name === role) ? roles : [...roles, { id: user.role_id, name: user.role_name, description: null }];
  return (
    <div class="user-edit">
      <dl class="facts">
        <dt>Account</dt>
        <dd>
          {user.account_name} {user.account_code && <code>{user.account_code}</code>}
        </dd>
        <dt>E-mail verified</dt>
        <dd>{user.email_verified ? "yes" : "no"}</dd>
        <dt>Last sign-in</dt>
        <dd>{when(user.last_login)}</dd>
      </dl>
      <form onSubmit={save}>
        <TextField label="E-mail" type="email" required value={email} onValue={setEmail} error={f.email} />
        <TextField label="Name" value={name} onValue={setName} error={f.name} />
        <SelectField label="Role" value={role} onValue={setRole} error={f.role_id} options={roleOptions.map((r) => r.name)} />
        <Checkbox label="Active (may sign in)" checked={active} onChecked={setActive} />
        <ErrorNote error={error} shown={["email", "name", "role_id"]} />
        <div class="dialog-actions">
          {!user.email_verified && (
            <button type="button" onClick={verify} disabled={busy}>
              Mark e-mail verified
            </button>
          )}
          {user.is_active ? (
            <button type="button" class="danger" onClick={deactivate} disabled={busy}>
              Deactivate
            </button>
          ) : (
            <button type="button" onClick={reactivate} disabled={busy}>
              Reactivate
            </button>
          )}
          <button type="submit" class="primary" disabled={busy}>
            Save
          </button>
        </div>
      </form>
      <form onSubmit={setNewPassword} class="subform">
        <h3>Set a new password</h3>
        <TextField label="New password" type="password" autoComplete="new-password" required value={password} onValue={setPassword} error={pf.new_password ?? pf.password} />
        <ErrorNote error={pwError} shown={["new_password", "password"]} />
        <button type="submit" disabled={busy}>
          Set password
        </button>
      </form>
    </div>
  );
}
