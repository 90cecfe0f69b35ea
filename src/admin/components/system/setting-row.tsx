// One setting: an input fit for its type, Save, and Reset (known keys) or Delete (custom keys).
// The server's 422 text for a wrong value is shown under the input.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../../lib/api.ts";
import { Field } from "../../ui/field.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";
import { notify } from "../../ui/toast.tsx";
import { fromInput, toInput, type KnownSetting, type SettingKind } from "./known-settings.ts";

export interface Stored {
  value: unknown;
  description: string | null;
}

export function SettingRow({ name, category, kind, known, stored, onChanged }: { name: string; category: string; kind: SettingKind; known?: KnownSetting; stored?: Stored; onChanged: () => void }) {
  const initial = stored ? toInput(kind, stored.value) : kind === "boolean" ? String(known?.fallback === "on") : "";
  const [text, setText] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setText(initial), [initial]);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api("POST", "/api/v1/settings", { body: { key: name, value: fromInput(kind, text), category, description: stored?.description ?? undefined } });
      notify(`Saved ${name}`);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!confirm(known ? `Reset ${name} to its default (${known.fallback})?` : `Delete the setting ${name}?`)) return;
    setBusy(true);
    setError(null);
    try {
      await api("DELETE", `/api/v1/settings/${encodeURIComponent(name)}`);
      notify(known ? `${name} reset to its default` : `Deleted ${name}`);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const valueError = error instanceof ApiError ? (error.fields.value ?? null) : null;
  const hint = (
    <>
      {known?.help ?? stored?.description ?? "Custom setting (JSON, or else text)."}
      {known && <> Default: {known.fallback}.</>} {stored ? "" : <em>Not set.</em>}
    </>
  );
  return (
    <form class={`setting-row${stored ? " is-set" : ""}`} onSubmit={save} aria-label={`Setting ${name}`}>
      <Field label={name} hint={hint} error={valueError} class={`setting-field setting-${kind}`}>
        {(ids) =>
          kind === "boolean" ? (
            <input {...ids} type="checkbox" checked={text === "true"} onChange={(e) => setText(String((e.target as HTMLInputElement).checked))} />
          ) : kind === "list" || kind === "json" ? (
            <textarea {...ids} class="mono" rows={kind === "list" ? 4 : 3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          ) : (
            <input
              {...ids}
              type="text"
              inputMode={kind === "cron" ? undefined : "decimal"}
              class={kind === "cron" ? "mono" : undefined}
              placeholder={kind === "cron" ? "0 3 * * *" : known?.fallback.split(" ")[0]}
              value={text}
              onInput={(e) => setText((e.target as HTMLInputElement).value)}
            />
          )
        }
      </Field>
      <div class="setting-actions">
        <button type="submit" class="primary" disabled={busy} aria-label={`Save ${name}`}>
          Save
        </button>
        {stored && (
          <button type="button" class="danger" disabled={busy} onClick={() => void remove()} aria-label={known ? `Reset ${name}` : `Delete ${name}`}>
            {known ? "Reset" : "Delete"}
          </button>
        )}
      </div>
      <ErrorNote error={valueError ? null : error} shown={["value"]} />
    </form>
  );
}
