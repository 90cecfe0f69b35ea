// Upload a file, on its own or straight into a record's file field (collection, record, field).
import { useState } from "preact/hooks";
import { api, ApiError } from "../../lib/api.ts";
import { useCollections } from "../../lib/collections.ts";
import { ErrorNote } from "../../ui/error-note.tsx";
import { Field, SelectField, TextField } from "../../ui/field.tsx";
import { formatBytes } from "../../lib/format.ts";
import type { StoredFile } from "./file-types.ts";

const SHOWN = ["file", "collection_name", "record_id", "field_name"];

export function FileUpload({ onUploaded, onCancel }: { onUploaded: (f: StoredFile) => void; onCancel: () => void }) {
  const { items: collections } = useCollections();
  const [file, setFile] = useState<File | null>(null);
  const [collection, setCollection] = useState("");
  const [recordId, setRecordId] = useState("");
  const [field, setField] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = error instanceof ApiError ? error.fields : {};
  const fileFields = collections.find((c) => c.name === collection)?.schema.filter((f) => f.type === "file") ?? [];

  async function submit(e: Event) {
    e.preventDefault();
    if (!file) {
      setError(new ApiError("Choose a file to upload.", 0, "FILE", { file: "choose a file" }));
      return;
    }
    const form = new FormData();
    if (collection) form.append("collection_name", collection);
    if (collection && recordId.trim()) form.append("record_id", recordId.trim());
    if (collection && recordId.trim() && field) form.append("field_name", field);
    form.append("file", file);
    setBusy(true);
    setError(null);
    try {
      onUploaded(await api<StoredFile>("POST", "/api/v1/files", { form }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="ops-form" onSubmit={submit} noValidate>
      <Field label="File" error={fields.file} hint={file ? `${file.name}, ${formatBytes(file.size)}, ${file.type || "unknown type"}` : "The size limit and the allowed types are settings (storage)."}>
        {(ids) => <input {...ids} type="file" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />}
      </Field>
      <SelectField
        label="Collection (optional)"
        value={collection}
        onValue={(c) => {
          setCollection(c);
          setField("");
        }}
        error={fields.collection_name}
        options={[{ value: "", label: "None: a file on its own" }, ...collections.map((c) => c.name)]}
      />
      {collection && (
        <>
          <TextField
            label="Record id (optional)"
            value={recordId}
            onValue={setRecordId}
            error={fields.record_id}
            spellcheck={false}
            hint="With a record and a file field, the file is added to that field."
          />
          <SelectField
            label="File field"
            value={field}
            onValue={setField}
            error={fields.field_name}
            options={[{ value: "", label: fileFields.length ? "Choose a field" : "This collection has no file field" }, ...fileFields.map((f) => f.name)]}
          />
        </>
      )}
      <ErrorNote error={error} shown={SHOWN.filter((k) => fields[k])} />
      <div class="ops-form-actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Uploading…" : "Upload"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
