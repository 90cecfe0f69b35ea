// Import: a file (CSV, JSON, NDJSON or xlsx) into a collection, with the API's options. The upload
// shows its progress; a large file becomes a job whose progress follows; the result lists failed rows.
import { useEffect, useState } from "preact/hooks";
import { ApiError, qs } from "../../lib/api.ts";
import { useCollections } from "../../lib/collections.ts";
import { Checkbox, Field, SelectField } from "../../ui/field.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";
import { ImportResult, type ImportCounts } from "./import-result.tsx";
import { JobProgress } from "./job-progress.tsx";
import { followJob, isFinal, jobFromRest, type Job } from "./jobs.ts";
import { upload } from "./upload.ts";

const FORMATS = [
  { value: "", label: "From the file name" },
  { value: "csv", label: "CSV" },
  { value: "json", label: "JSON" },
  { value: "ndjson", label: "NDJSON" },
  { value: "xlsx", label: "Excel (xlsx)" },
];

export function ImportPanel({ initialCollection }: { initialCollection: string }) {
  const { items } = useCollections();
  const [collection, setCollection] = useState(initialCollection);
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState("");
  const [mode, setMode] = useState("insert");
  const [key, setKey] = useState("id");
  const [atomic, setAtomic] = useState(false);
  const [sent, setSent] = useState<number | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [result, setResult] = useState<ImportCounts | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const chosen = items.find((c) => c.name === collection);
  useEffect(() => {
    if (!collection && items[0]) setCollection(items[0].name);
  }, [items]);
  const keys = ["id", ...(chosen?.schema.filter((f) => f.unique).map((f) => f.name) ?? [])];

  useEffect(() => {
    if (!job || isFinal(job)) return;
    return followJob(
      job.id,
      (j) => {
        setJob(j);
        if (j.state === "succeeded") setResult({ ...(j.result as ImportCounts) });
        if (j.state === "failed" && j.errors.length) setResult({ imported: 0, created: 0, updated: 0, total: 0, failed: j.errors.length, errors: j.errors as ImportCounts["errors"] });
      },
      setError,
    );
  }, [job?.id]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) return setError(new ApiError("Choose a file to import.", 0, "FILE", { file: "Choose a file" }));
    setError(null);
    setResult(null);
    setJob(null);
    setBusy(true);
    setSent(0);
    const form = new FormData();
    form.append("file", file, file.name);
    const query = qs({ mode, key: mode === "upsert" ? key : undefined, atomic: atomic ? "true" : undefined });
    const path = `/api/v1/collections/${encodeURIComponent(collection)}/records/import${format ? `/${format}` : ""}${query}`;
    try {
      const answer = await upload<any>(path, form, (done, total) => setSent(total ? Math.round((done / total) * 100) : null));
      if (answer.status === 202 && answer.body?.job) setJob(jobFromRest(answer.body.job));
      else setResult(answer.body as ImportCounts);
    } catch (err) {
      setError(err);
      const details = err instanceof ApiError ? (err.details as { errors?: unknown; total?: number; failed?: number } | null) : null;
      if (details && Array.isArray(details.errors))
        setResult({ imported: 0, created: 0, updated: 0, total: Number(details.total ?? 0), failed: Number(details.failed ?? details.errors.length), errors: details.errors });
    } finally {
      setBusy(false);
      setSent(null);
    }
  };

  const fileError = error instanceof ApiError ? error.fields.file : undefined;
  return (
    <form class="card transfer-card" onSubmit={submit} aria-labelledby="import-title">
      <h2 id="import-title">Import records</h2>
      <SelectField label="Collection" value={collection} onValue={setCollection} options={items.map((c) => c.name)} name="import-collection" />
      <Field label="File" hint="CSV or xlsx (first row names the columns), JSON (an array of objects) or NDJSON." error={fileError}>
        {(ids) => <input {...ids} type="file" accept=".csv,.json,.ndjson,.jsonl,.xlsx,text/csv,application/json" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />}
      </Field>
      <div class="transfer-options">
        <SelectField label="Format" value={format} onValue={setFormat} options={FORMATS} />
        <SelectField
          label="Mode"
          value={mode}
          onValue={setMode}
          options={[
            { value: "insert", label: "Insert new records" },
            { value: "upsert", label: "Update or insert (upsert)" },
          ]}
        />
        {mode === "upsert" && <SelectField label="Match records by" value={key} onValue={setKey} options={keys} hint="id or a unique field" />}
      </div>
      <Checkbox label="All or nothing" hint="Any failing row cancels the whole import; otherwise the good rows are kept." checked={atomic} onChecked={setAtomic} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy || !collection || Boolean(job && !isFinal(job))}>
          Import
        </button>
        {sent !== null && (
          <span class="upload-progress">
            <progress aria-label="Upload progress" max={100} value={sent} /> Uploading… {sent}%
          </span>
        )}
      </div>
      <ErrorNote error={error} shown={["file"]} />
      {job && <JobProgress job={job} label="Importing" />}
      {result && <ImportResult result={result} />}
    </form>
  );
}
