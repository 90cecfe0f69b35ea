// Create a role (POST /api/v1/roles) or change its name and description (PUT /api/v1/roles/{id}).
import { useState } from "preact/hooks";
import { api, ApiError } from "../../lib/api.ts";
import { TextAreaField, TextField } from "../../ui/field.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";
import type { RoleRow } from "./options.ts";

export function RoleForm({ role, onSaved, onCancel }: { role?: RoleRow; onSaved: (r: RoleRow) => void; onCancel: () => void }) {
  const [name, setName] = useState(role?.name ?? "");
  const [description, setDescription] = useState(role?.description ?? "");
  const [error, setError] = useState<unknown>(null);
  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      const body = { name, description: description || null };
      onSaved(role ? await api<RoleRow>("PUT", `/api/v1/roles/${role.id}`, { body }) : await api<RoleRow>("POST", "/api/v1/roles", { body }));
    } catch (err) {
      setError(err);
    }
  }
  const f = error instanceof ApiError ? error.fields : {};
  const builtIn = role?.name === "admin" || role?.name === "user";
  return (
    <form onSubmit={submit}>
      <TextField label="Name" required disabled={builtIn} value={name} onValue={setName} error={f.name} hint={builtIn ? "Built-in roles keep their names." : "Starts with a letter, e.g. editor."} />
      <TextAreaField label="Description" rows={2} value={description} onValue={setDescription} error={f.description} />
      <ErrorNote error={error} shown={["name", "description"]} />
      <div class="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary">
          {role ? "Save" : "Create role"}
        </button>
      </div>
    </form>
  );
}
