// Export: the records of a collection (those a filter selects) as a file, made by a job on the
// server whose progress shows here; the finished file is downloaded with the user's token.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, qs } from "../../lib/api.ts";
import { useCollections } from "../../lib/collections.ts";
import { SelectField, TextField } from "../../ui/field.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";
import { notify } from "../../ui/toast.tsx";
import { JobProgress } from "./job-progress.tsx";
import { formatBytes } from "../../lib/format.ts";
import { downloadFile, followJob, isFinal, jobFromRest, type Job } from "./jobs.ts";

export function ExportPanel({ initialCollection }: { initialCollection: string }) {
  const { items } = useCollections();
  const [collection, setCollection] = useState(initialCollection);
  const [format, setFormat] = useState("csv");
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState("");
  const [fields, setFields] = useState("");
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!collection && items[0]) setCollection(items[0].name);
  }, [items]);
  useEffect(() => {
    if (!job || isFinal(job)) return;
    return followJob(job.id, setJob, setError);
  }, [job?.id]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setJob(null);
    setBusy(true);
    try {
      const path = `/api/v1/collections/${encodeURIComponent(collection)}/records/export/${format}${qs({ background: "true", filter, sort, fields })}`;
      const answer = await api<{ job: unknown }>("GET", path);
      setJob(jobFromRest(answer.job));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const file = job?.state === "succeeded" ? (job.result?.file as { name?: string } | undefined) : undefined;
  const download = async () => {
    if (!job?.downloadUrl) return;
    setError(null);
    try {
      const size = await downloadFile(job.downloadUrl, file?.name ?? `${collection}_export.${format}`);
      notify(`Downloaded ${file?.name ?? "the export"} (${formatBytes(size)})`);
    } catch (err) {
      setError(err);
    }
  };

  const fieldErrors = error instanceof ApiError ? error.fields : {};
  const filterError = fieldErrors.filter ?? fieldErrors["querystring.filter"];
  return (
    <form class="card transfer-card" onSubmit={submit} aria-labelledby="export-title">
      <h2 id="export-title">Export records</h2>
      <SelectField label="Collection" value={collection} onValue={setCollection} options={items.map((c) => c.name)} name="export-collection" />
      <SelectField
        label="File format"
        value={format}
        onValue={setFormat}
        options={[
          { value: "csv", label: "CSV" },
          { value: "json", label: "JSON" },
          { value: "ndjson", label: "NDJSON" },
          { value: "xlsx", label: "Excel (xlsx)" },
        ]}
      />
      <TextField
        label="Filter"
        value={filter}
        onValue={setFilter}
        placeholder="price > 10 && in_stock = true"
        hint="The filter language of the records list; empty exports every record you may list."
        error={filterError}
        class="mono"
      />
      <div class="transfer-options">
        <TextField label="Sort" value={sort} onValue={setSort} placeholder="-created" hint="Fields, - for descending" />
        <TextField label="Fields" value={fields} onValue={setFields} placeholder="name,price" hint="Comma list; empty for all" />
      </div>
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy || !collection || Boolean(job && !isFinal(job))}>
          Export
        </button>
        {job?.state === "succeeded" && job.downloadUrl && (
          <button type="button" onClick={() => void download()}>
            Download {file?.name ?? "file"}
          </button>
        )}
      </div>
      <ErrorNote error={error} shown={["filter", "querystring.filter", "position"]} />
      {job && <JobProgress job={job} label="Exporting" />}
      {job?.state === "succeeded" && <p class="hint">{Number(job.result?.records ?? 0)} records exported.</p>}
    </form>
  );
}
