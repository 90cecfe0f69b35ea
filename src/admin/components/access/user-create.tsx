// A new user in an account with a role (POST /api/v1/users): verified and able to sign in at once.
import { useState } from "preact/hooks";
import { api, ApiError } from "../../lib/api.ts";
import { SelectField, TextField } from "../../ui/field.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";
import type { AccountRow, RoleRow } from "./options.ts";
import type { UserRow } from "./user-types.ts";

export function UserCreate({ accounts, roles, onCreated, onCancel }: { accounts: AccountRow[]; roles: RoleRow[]; onCreated: (u: UserRow) => void; onCancel: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [account, setAccount] = useState(accounts.find((a) => a.slug === "default")?.id ?? accounts[0]?.id ?? "");
  const [role, setRole] = useState("user");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onCreated(await api<UserRow>("POST", "/api/v1/users", { body: { email, password, account_id: account || undefined, role_id: role } }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const f = error instanceof ApiError ? error.fields : {};
  return (
    <form onSubmit={submit}>
      <TextField label="E-mail" type="email" required autoComplete="off" value={email} onValue={setEmail} error={f.email} />
      <TextField
        label="Password"
        type="password"
        required
        autoComplete="new-password"
        value={password}
        onValue={setPassword}
        error={f.password}
        hint="At least 12 characters with an upper- and a lower-case letter, a digit and a special character."
      />
      <SelectField label="Account" value={account} onValue={setAccount} error={f.account_id} options={accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.slug})` }))} />
      <SelectField label="Role" value={role} onValue={setRole} error={f.role_id} options={roles.map((r) => ({ value: r.name, label: r.name }))} />
      <ErrorNote error={error} shown={["email", "password", "account_id", "role_id"]} />
      <div class="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Creating…" : "Create user"}
        </button>
      </div>
    </form>
  );
}
