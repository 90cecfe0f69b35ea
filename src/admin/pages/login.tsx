// Sign in with e-mail and password (POST /api/v1/auth/login), as any user: superadmins see
// everything, account admins and others what their rules allow.
import { useState } from "preact/hooks";
import { api, ApiError } from "../lib/api.ts";
import { session } from "../lib/session.ts";
import { TextField } from "../ui/field.tsx";
import { ErrorNote } from "../ui/error-note.tsx";

export function Login() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [account, setAccount] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api("POST", "/api/v1/auth/login", { body: account.trim() ? { email, password, account: account.trim() } : { email, password } });
      session.signedIn(answer);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const fields = error instanceof ApiError ? error.fields : {};
  return (
    <form class="card narrow" onSubmit={submit} aria-labelledby="login-title">
      <h1 id="login-title">Sign in to Cairn</h1>
      <TextField label="E-mail" type="email" name="email" autoComplete="username" required value={email} onValue={setEmail} error={fields.email} />
      <TextField label="Password" type="password" name="password" autoComplete="current-password" required value={password} onValue={setPassword} error={fields.password} />
      <TextField
        label="Account (optional)"
        name="account"
        autoComplete="organization"
        value={account}
        onValue={setAccount}
        error={fields.account}
        hint="The account's slug, code or id, for users of an account other than the default one. Superadmins leave it empty."
      />
      <ErrorNote error={error} shown={["email", "password", "account"]} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      <p class="hint">
        First run? The server printed a one-time link that creates the first superadmin. Lost it? Run <code>npx cairn admin install-link</code>.
      </p>
    </form>
  );
}
