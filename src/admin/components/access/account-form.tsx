// Create an account (POST /api/v1/accounts) or rename one (PATCH /api/v1/accounts/{id}); only
// superadmins may set the slug.
import { useState } from "preact/hooks";
import { api, ApiError } from "../../lib/api.ts";
import { TextField } from "../../ui/field.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";
import type { AccountRow } from "./options.ts";

export function AccountForm({ account, canSlug, onSaved, onCancel }: { account?: AccountRow; canSlug: boolean; onSaved: (a: AccountRow) => void; onCancel: () => void }) {
  const [name, setName] = useState(account?.name ?? "");
  const [slug, setSlug] = useState(account?.slug ?? "");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, string> = { name };
      if (canSlug && slug && slug !== account?.slug) body.slug = slug;
      onSaved(account ? await api<AccountRow>("PATCH", `/api/v1/accounts/${encodeURIComponent(account.id)}`, { body }) : await api<AccountRow>("POST", "/api/v1/accounts", { body }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const f = error instanceof ApiError ? error.fields : {};
  return (
    <form onSubmit={submit}>
      <TextField label="Name" required value={name} onValue={setName} error={f.name} />
      {canSlug && (
        <TextField label="Slug" value={slug} onValue={setSlug} error={f.slug} hint="3–32 characters of a–z, 0–9 and -. Users name it when they sign in; left empty it is made from the name." />
      )}
      <ErrorNote error={error} shown={["name", "slug"]} />
      <div class="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={busy}>
          {account ? "Save" : "Create account"}
        </button>
      </div>
    </form>
  );
}
