// One record of a collection, new (#/collections/:name/records/new) or existing
// (#/collections/:name/records/:id): an input fit for each field type, Save (POST or PATCH with
// the version read, so a record changed meanwhile is not overwritten), Save & new, Delete, Cancel.
// The server's per-field messages show next to their inputs, anything else above the buttons.
import { useEffect, useState } from "preact/hooks";
import { FieldInput } from "../components/inputs/field-input.tsx";
import { RecordMeta, type RecordBody } from "../components/inputs/record-meta.tsx";
import { errorFor, fromDraft, kindOf, labelOf, same, toDraft } from "../components/inputs/values.ts";
import { api, ApiError } from "../lib/api.ts";
import { collections, reloadCollections, type Collection, type CollectionField } from "../lib/collections.ts";
import { href, navigate } from "../lib/router.ts";
import type { PageProps } from "../routes.ts";
import { ErrorNote } from "../ui/error-note.tsx";
import { Page } from "../ui/page.tsx";
import { notify } from "../ui/toast.tsx";

type Drafts = Record<string, unknown>;

/** inputs that take the form's whole width; the others sit two to a row */
const WIDE = new Set(["textarea", "editor", "json", "file"]);

const editable = (c: Collection) => c.schema.filter((f) => !f.system);

function draftsOf(c: Collection, rec: RecordBody | null): Drafts {
  return Object.fromEntries(editable(c).map((f) => [f.name, toDraft(f, rec ? rec.data[f.name] : f.default)]));
}

function valuesOf(fields: CollectionField[], drafts: Drafts): { values: Record<string, unknown>; problems: Record<string, string> } {
  const values: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const f of fields) {
    const r = fromDraft(f, drafts[f.name]);
    if ("problem" in r) problems[f.name] = r.problem;
    else values[f.name] = r.value;
  }
  return { values, problems };
}

export default function RecordEdit({ params }: PageProps) {
  const name = params.name!;
  const id = params.id;
  const path = (rid: string) => `/collections/${encodeURIComponent(name)}/records/${encodeURIComponent(rid)}`;
  const [def, setDef] = useState<Collection | null>(null);
  const [record, setRecord] = useState<RecordBody | null>(null);
  const [drafts, setDrafts] = useState<Drafts>({});
  const [loadError, setLoadError] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [generation, setGeneration] = useState(0);

  const load = async () => {
    setLoadError(null);
    setSaveError(null);
    setProblems({});
    try {
      const c = await api<Collection>("GET", `/api/v1/collections/${encodeURIComponent(name)}`);
      if (!collections.value.items.some((x) => x.name === name)) void reloadCollections();
      const rec = id ? await api<RecordBody>("GET", `/api/v1/collections/${encodeURIComponent(name)}/records/${encodeURIComponent(id)}`) : null;
      setDef(c);
      setRecord(rec);
      setDrafts(draftsOf(c, rec));
      setGeneration((g) => g + 1);
    } catch (err) {
      setLoadError(err);
    }
  };
  useEffect(() => {
    void load();
  }, [name, id]);

  const title = id ? `Edit record` : `New record`;
  const breadcrumb = (
    <>
      <a href={href("/collections")}>Collections</a> / <a href={href(`/collections/${encodeURIComponent(name)}`)}>{name}</a>
    </>
  );
  if (loadError) {
    const denied = loadError instanceof ApiError && loadError.status === 403;
    return (
      <Page title={title} breadcrumb={breadcrumb}>
        <ErrorNote error={loadError} />
        {denied && <p>Your account may not open records of {name} here: that needs administrator rights (superadmin for other accounts). Ask a superadmin for access.</p>}
        <a href={href(`/collections/${encodeURIComponent(name)}`)}>Back to {name}</a>
      </Page>
    );
  }
  if (!def) {
    return (
      <Page title={title} breadcrumb={breadcrumb}>
        <p class="loading">Loading…</p>
      </Page>
    );
  }

  const fields = editable(def);
  const serverFields = saveError instanceof ApiError ? saveError.fields : {};
  const messageFor = (f: CollectionField) => problems[f.name] ?? errorFor(serverFields, f.name);
  const shownKeys = Object.keys(serverFields).filter((k) => fields.some((f) => k === f.name || k.startsWith(`${f.name}.`) || k.startsWith(`${f.name}[`)));
  const conflict = saveError instanceof ApiError && saveError.status === 409;

  const save = async (then: "stay" | "new") => {
    setSaveError(null);
    const { values, problems: found } = valuesOf(fields, drafts);
    setProblems(found);
    if (Object.keys(found).length) {
      setSaveError(new Error("Some fields need fixing before the record can be saved; see the messages next to them."));
      return;
    }
    setBusy(true);
    try {
      let saved: RecordBody;
      if (record) {
        const before = valuesOf(fields, draftsOf(def, record)).values;
        const changed = Object.fromEntries(Object.entries(values).filter(([k, v]) => !same(v, before[k])));
        saved = await api<RecordBody>("PATCH", `/api/v1/collections/${encodeURIComponent(name)}/records/${encodeURIComponent(record.id)}`, {
          body: { data: changed, expectedVersion: record.version },
        });
      } else {
        const data = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null));
        saved = await api<RecordBody>("POST", `/api/v1/collections/${encodeURIComponent(name)}/records`, { body: { data } });
      }
      notify(record ? "Record saved" : "Record created");
      if (then === "new") {
        if (id) navigate(`/collections/${encodeURIComponent(name)}/records/new`);
        else {
          setRecord(null);
          setDrafts(draftsOf(def, null));
          setGeneration((g) => g + 1);
        }
      } else if (!record) navigate(path(saved.id), undefined, true);
      else {
        setRecord(saved);
        setDrafts(draftsOf(def, saved));
        setGeneration((g) => g + 1);
      }
    } catch (err) {
      setSaveError(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!record || !confirm(`Delete this record from ${name}? This cannot be undone.`)) return;
    setBusy(true);
    try {
      await api("DELETE", `/api/v1/collections/${encodeURIComponent(name)}/records/${encodeURIComponent(record.id)}`);
      notify("Record deleted");
      navigate(`/collections/${encodeURIComponent(name)}`);
    } catch (err) {
      setSaveError(err);
      setBusy(false);
    }
  };

  return (
    <Page title={title} breadcrumb={breadcrumb}>
      <div class="record-edit">
        <form
          class="card record-form"
          noValidate
          aria-label={`${title} in ${name}`}
          onSubmit={(e) => {
            e.preventDefault();
            void save("stay");
          }}
        >
          {fields.map((f) => (
            <div key={`${f.name}-${generation}`} class={WIDE.has(kindOf(f)) ? "record-cell wide" : "record-cell"}>
              <FieldInput
                field={f}
                label={labelOf(f)}
                hint={f.hint}
                error={messageFor(f)}
                value={drafts[f.name]}
                onValue={(v: unknown) => setDrafts((d) => ({ ...d, [f.name]: v }))}
                recordId={record?.id}
                collection={name}
              />
            </div>
          ))}
          <div class="record-cell wide">
            <ErrorNote error={saveError} shown={shownKeys} />
          </div>
          {conflict && (
            <p class="record-cell wide">
              Someone saved this record after you opened it.{" "}
              <button type="button" onClick={() => void load()}>
                Reload the record (your changes are lost)
              </button>
            </p>
          )}
          <div class="form-actions record-cell wide">
            <button type="submit" class="primary" disabled={busy}>
              Save
            </button>
            <button type="button" disabled={busy} onClick={() => void save("new")}>
              Save &amp; new
            </button>
            <a class="button" href={href(`/collections/${encodeURIComponent(name)}`)}>
              Cancel
            </a>
            {record && (
              <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
                Delete
              </button>
            )}
          </div>
        </form>
        {record && <RecordMeta record={record} />}
      </div>
    </Page>
  );
}
