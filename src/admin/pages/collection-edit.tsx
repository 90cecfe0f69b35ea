// Create (`#/collections/new`) or change (`#/collections/:name/edit`) a collection: its name, its
// fields with every option of README "Collections", the five access rules, its options, and delete.
// Saving sends the whole definition (POST or PATCH /api/v1/collections); the server's 422 names
// each failing path (`schema[2].validation.min`) and the message is shown next to that input.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../lib/api.ts";
import { reloadCollections, useCollections, type Collection } from "../lib/collections.ts";
import { href, navigate } from "../lib/router.ts";
import type { PageProps } from "../routes.ts";
import { ErrorNote } from "../ui/error-note.tsx";
import { SelectField, TextAreaField, TextField } from "../ui/field.tsx";
import { Page } from "../ui/page.tsx";
import { notify } from "../ui/toast.tsx";
import { FieldEditor } from "../components/collections/field-editor.tsx";
import { RulesEditor } from "../components/collections/rules-editor.tsx";
import {
  collectionBody,
  draftFromServer,
  emptyDraft,
  emptyField,
  errorsOfField,
  FIELD_TYPES,
  RULES,
  ruleValue,
  type Draft,
  type FieldType,
  type RuleKey,
} from "../components/collections/schema-draft.ts";
import { forbiddenNote } from "../components/collections/forbidden.ts";

export default function CollectionEdit({ params }: PageProps) {
  const editing = params.name;
  const { items } = useCollections();
  const [draft, setDraft] = useState<Draft | null>(editing ? null : { ...emptyDraft(), fields: [emptyField("text")] });
  const [loadError, setLoadError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  /** the draft keys of the fields as they were sent, so `schema[i]` errors find their row after a reorder */
  const [sentKeys, setSentKeys] = useState<string[]>([]);
  /** the draft as it was sent: a rule's error is shown only while the rule still reads as it did */
  const [sent, setSent] = useState<Draft | null>(null);
  const [optionsError, setOptionsError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [newType, setNewType] = useState<FieldType>("text");
  const [deleteError, setDeleteError] = useState<unknown>(null);

  // reference targets: collections made elsewhere since the list was read
  useEffect(() => void reloadCollections(), []);
  useEffect(() => {
    if (!editing) return;
    api<Collection>("GET", `/api/v1/collections/${encodeURIComponent(editing)}`).then((c) => setDraft(draftFromServer(c)), setLoadError);
  }, [editing]);

  const title = editing ? `Edit ${editing}` : "New collection";
  const breadcrumb = (
    <>
      <a href={href("/collections")}>Collections</a>
      {editing && (
        <>
          {" / "}
          <a href={href(`/collections/${encodeURIComponent(editing)}`)}>{editing}</a>
        </>
      )}
    </>
  );
  if (!draft) {
    return (
      <Page title={title} breadcrumb={breadcrumb}>
        {loadError ? <ErrorNote error={forbiddenNote(loadError)} /> : <p class="loading">Loading…</p>}
      </Page>
    );
  }

  const fieldErrors = error instanceof ApiError ? error.fields : {};
  const errorsByKey = new Map(sentKeys.map((key, i) => [key, errorsOfField(fieldErrors, i)]));
  const shownKeys = Object.keys(fieldErrors).filter((k) => /^(schema|fields)\[\d+\]/.test(k) || k === "name" || k === "options" || k.startsWith("options.") || RULES.includes(k as never));
  const update = (d: Partial<Draft>) => setDraft({ ...draft, ...d });
  const setField = (i: number, f: Draft["fields"][number]) => update({ fields: draft.fields.map((x, j) => (j === i ? f : x)) });
  const move = (i: number, delta: -1 | 1) => {
    const fields = [...draft.fields];
    const [f] = fields.splice(i, 1);
    fields.splice(i + delta, 0, f!);
    update({ fields });
  };

  const save = async (e: Event) => {
    e.preventDefault();
    const { body, optionsError: badOptions } = collectionBody(draft);
    setOptionsError(badOptions);
    if (badOptions) return;
    setSaving(true);
    setError(null);
    setSentKeys(draft.fields.map((f) => f.key));
    setSent(draft);
    try {
      const saved = editing ? await api<Collection>("PATCH", `/api/v1/collections/${encodeURIComponent(editing)}`, { body }) : await api<Collection>("POST", "/api/v1/collections", { body });
      await reloadCollections();
      notify(editing ? `Saved ${saved.name}` : `Created ${saved.name}`);
      navigate(`/collections/${encodeURIComponent(saved.name)}`);
    } catch (err) {
      setError(forbiddenNote(err));
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!editing || !confirm(`Delete the collection ${editing} and all its records? This cannot be undone.`)) return;
    setDeleteError(null);
    try {
      await api("DELETE", `/api/v1/collections/${encodeURIComponent(editing)}`);
      await reloadCollections();
      notify(`Deleted ${editing}`);
      navigate("/collections");
    } catch (err) {
      setDeleteError(forbiddenNote(err));
    }
  };

  const others = items.filter((c) => c.name !== editing);
  return (
    <Page
      title={title}
      breadcrumb={breadcrumb}
      actions={
        editing && (
          <a class="button" href={href(`/collections/${encodeURIComponent(editing)}/api`)}>
            API examples
          </a>
        )
      }
    >
      <form class="collection-form" onSubmit={save} noValidate>
        <section class="card">
          <TextField
            label="Collection name"
            value={draft.name}
            onValue={(v) => update({ name: v })}
            error={fieldErrors.name ?? null}
            hint="letters, digits and _; starts with a letter (it becomes the table name and the API path)"
            autoComplete="off"
            spellcheck={false}
          />
        </section>

        <section class="card" aria-labelledby="fields-heading">
          <h2 id="fields-heading">Fields</h2>
          <p class="hint">
            Every record also has id, created, updated, owner_id and version
            {draft.workflowFields.length > 0 && <>, and the content workflow's {draft.workflowFields.join(", ")} (they follow the options below)</>}.
          </p>
          {draft.fields.length === 0 && <p class="empty-fields">No fields yet: add the first one below.</p>}
          {draft.fields.map((f, i) => (
            <FieldEditor
              key={f.key}
              field={f}
              index={i}
              count={draft.fields.length}
              errors={errorsByKey.get(f.key) ?? {}}
              collections={others}
              selfName={draft.name.trim()}
              onChange={(next) => setField(i, next)}
              onMove={(d) => move(i, d)}
              onRemove={() => update({ fields: draft.fields.filter((_, j) => j !== i) })}
            />
          ))}
          <div class="add-field">
            <SelectField label="Type of the new field" value={newType} onValue={(v) => setNewType(v as FieldType)} options={[...FIELD_TYPES]} />
            <button type="button" onClick={() => update({ fields: [...draft.fields, emptyField(newType)] })}>
              + Add field
            </button>
          </div>
        </section>

        <section class="card" aria-labelledby="rules-heading">
          <h2 id="rules-heading">Access rules</h2>
          <p class="hint">
            Rules use the filter language with <code>@request.auth.id</code>, <code>@request.data.*</code> and macros like <code>@has_role("editor")</code> (README "Access rules").
          </p>
          <RulesEditor
            rules={draft.rules}
            errors={Object.fromEntries(
              Object.entries(fieldErrors).filter(([k]) => !RULES.includes(k as never) || (sent && ruleValue(sent.rules[k as RuleKey]) === ruleValue(draft.rules[k as RuleKey]))),
            )}
            onChange={(rules) => update({ rules })}
          />
        </section>

        <section class="card" aria-labelledby="options-heading">
          <h2 id="options-heading">Options</h2>
          <TextAreaField
            label="Collection options (JSON)"
            class="mono"
            rows={4}
            value={draft.options}
            onValue={(v) => update({ options: v })}
            error={
              optionsError ??
              (Object.entries(fieldErrors)
                .filter(([k]) => k === "options" || k.startsWith("options."))
                .map(([k, v]) => (k === "options" ? v : `${k.slice(8)}: ${v}`))
                .join("; ") ||
                null)
            }
            hint='the content workflow, e.g. {"drafts": true, "versions": true, "slug_field": "title"}; indexes are set per field'
            spellcheck={false}
          />
        </section>

        <ErrorNote error={error} shown={shownKeys} />
        <div class="form-actions">
          <button type="submit" class="primary" disabled={saving}>
            {saving ? "Saving…" : editing ? "Save changes" : "Create collection"}
          </button>
          <a class="button" href={href(editing ? `/collections/${encodeURIComponent(editing)}` : "/collections")}>
            Cancel
          </a>
        </div>
      </form>

      {editing && (
        <section class="card danger-zone" aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete this collection</h2>
          <p>Drops the table and every record in it. Collections that reference it must be changed first.</p>
          <ErrorNote error={deleteError} />
          <button type="button" class="danger" onClick={() => void remove()}>
            Delete collection
          </button>
        </section>
      )}
    </Page>
  );
}
