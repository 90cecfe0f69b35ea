// First run: the one-time link the server printed (`/_/#/install/<token>`) opens this form, which
// creates the first superadmin (POST /api/v1/admin/install) and signs them in. Once a superadmin
// exists the link stops working, and the page says so.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../lib/api.ts";
import { navigate } from "../lib/router.ts";
import { session } from "../lib/session.ts";
import type { PageProps } from "../routes.ts";
import { ErrorNote } from "../ui/error-note.tsx";
import { TextField } from "../ui/field.tsx";

export default function Install({ params }: PageProps) {
  const token = params.token ?? "";
  const [check, setCheck] = useState<{ valid: boolean; error?: unknown } | null>(null);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = "Create the first superadmin · Cairn admin";
    api("GET", `/api/v1/admin/install/${encodeURIComponent(token)}`).then(
      () => setCheck({ valid: true }),
      (err) => setCheck({ valid: false, error: err }),
    );
  }, [token]);

  async function submit(e: Event) {
    e.preventDefault();
    if (password !== confirm) {
      setError(new ApiError("The two passwords differ.", 400, "VALIDATION_ERROR", { password_confirm: "must match the password" }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer = await api("POST", "/api/v1/admin/install", { body: { token, email, password, password_confirm: confirm } });
      session.signedIn(answer);
      void session.loadMe();
      navigate("/", undefined, true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fields = error instanceof ApiError ? error.fields : {};
  if (!check) return <p class="loading">Checking the link…</p>;
  if (!check.valid) {
    return (
      <section class="card narrow">
        <h1>This link cannot be used</h1>
        <ErrorNote error={check.error} />
        <p>
          Install links work once and for 30 minutes, and only while no superadmin exists. Run <code>npx cairn admin install-link</code> on the server for a new one, or <a href="#/">sign in</a>.
        </p>
      </section>
    );
  }
  return (
    <form class="card narrow" onSubmit={submit} aria-labelledby="install-title">
      <h1 id="install-title">Create the first superadmin</h1>
      <p class="hint">This account can manage everything in Cairn. The link stops working once it exists.</p>
      <TextField label="E-mail" type="email" name="email" autoComplete="username" required value={email} onValue={setEmail} error={fields.email} />
      <TextField label="Password" type="password" name="password" autoComplete="new-password" required value={password} onValue={setPassword} error={fields.password} />
      <TextField label="Confirm password" type="password" name="password_confirm" autoComplete="new-password" required value={confirm} onValue={setConfirm} error={fields.password_confirm} />
      <ErrorNote error={error} shown={["email", "password", "password_confirm"]} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? "Creating…" : "Create superadmin and sign in"}
      </button>
    </form>
  );
}
