// A new API key: its name, scopes and expiry (POST /api/v1/api-keys).
import { useState } from "preact/hooks";
import { api, ApiError } from "../../lib/api.ts";
import { Checkbox, TextField } from "../../ui/field.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";

export interface CreatedKey {
  id: string;
  name: string;
  key: string;
}

const SCOPES = [
  { value: "read", label: "read — REST reads, GraphQL queries and subscriptions" },
  { value: "write", label: "write — record writes, GraphQL mutations, sign-in" },
  { value: "admin", label: "admin — everything your user may do, including managing keys" },
];

export function KeyForm({ onCreated, onCancel }: { onCreated: (key: CreatedKey) => void; onCancel: () => void }) {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(["read"]);
  const [expires, setExpires] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { name, scopes };
      if (expires) body.expires_at = new Date(`${expires}T23:59:59`).toISOString();
      onCreated(await api<CreatedKey>("POST", "/api/v1/api-keys", { body }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const fields = error instanceof ApiError ? error.fields : {};
  return (
    <form onSubmit={submit}>
      <TextField label="Name" required value={name} onValue={setName} error={fields.name} hint="What uses it, e.g. CI or the shop front end." />
      <fieldset class="scopes">
        <legend>Scopes</legend>
        {SCOPES.map((s) => (
          <Checkbox key={s.value} label={s.label} checked={scopes.includes(s.value)} onChecked={(on) => setScopes(on ? [...scopes, s.value] : scopes.filter((x) => x !== s.value))} />
        ))}
        {fields.scopes && <div class="field-error">{fields.scopes}</div>}
      </fieldset>
      <TextField label="Expires on" type="date" value={expires} onValue={setExpires} error={fields.expires_at} hint="Leave empty for a key that does not expire." />
      <ErrorNote error={error} shown={["name", "scopes", "expires_at"]} />
      <div class="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Creating…" : "Create key"}
        </button>
      </div>
    </form>
  );
}
