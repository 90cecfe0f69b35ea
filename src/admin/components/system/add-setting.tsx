// Adds a custom setting (or sets any key): key, category, value (JSON, or else text), description.
import { useState } from "preact/hooks";
import { api, ApiError } from "../../lib/api.ts";
import { SelectField, TextAreaField, TextField } from "../../ui/field.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";
import { notify } from "../../ui/toast.tsx";
import { CATEGORIES, fromInput } from "./known-settings.ts";

export function AddSetting({ onAdded }: { onAdded: () => void }) {
  const [key, setKey] = useState("");
  const [category, setCategory] = useState("custom");
  const [value, setValue] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api("POST", "/api/v1/settings", { body: { key: key.trim(), value: fromInput("json", value), category, description: description.trim() || undefined } });
      notify(`Saved ${key.trim()}`);
      setKey("");
      setValue("");
      setDescription("");
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const f = error instanceof ApiError ? error.fields : {};
  return (
    <form class="card add-setting" onSubmit={submit} aria-labelledby="add-setting-title">
      <h2 id="add-setting-title">Add a setting</h2>
      <div class="add-setting-grid">
        <TextField label="Key" value={key} onValue={setKey} required error={f.key} hint="Letters, digits and _ . : -" />
        <SelectField label="Category" value={category} onValue={setCategory} options={CATEGORIES} error={f.category} />
      </div>
      <TextAreaField label="Value" value={value} onValue={setValue} class="mono" rows={2} error={f.value} hint={'JSON (true, 42, ["a","b"], {"k":1}); anything else is stored as text.'} />
      <TextField label="Description" value={description} onValue={setDescription} error={f.description} />
      <button type="submit" class="primary" disabled={busy || !key.trim()}>
        Add setting
      </button>
      <ErrorNote error={error} shown={["key", "category", "value", "description"]} />
    </form>
  );
}
