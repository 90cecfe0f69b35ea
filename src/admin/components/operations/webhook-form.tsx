// Create or edit a webhook: target URL, collection, events, filter, secret, retries, active.
// The server's field errors are shown under their inputs, the rest in the note above the buttons.
import { useState } from "preact/hooks";
import { api, ApiError } from "../../lib/api.ts";
import { useCollections } from "../../lib/collections.ts";
import { ErrorNote } from "../../ui/error-note.tsx";
import { Checkbox, SelectField, TextField } from "../../ui/field.tsx";
import { EVENTS, type Webhook } from "./webhook-types.ts";

const SHOWN = ["url", "collection_name", "events", "filter", "secret", "retry_count"];

export function WebhookForm({ webhook, onSaved, onCancel }: { webhook?: Webhook; onSaved: (w: Webhook) => void; onCancel: () => void }) {
  const { items: collections } = useCollections();
  const [url, setUrl] = useState(webhook?.url ?? "");
  const [collection, setCollection] = useState(webhook?.collection_name ?? collections[0]?.name ?? "");
  const all = !webhook || webhook.events.includes("*");
  const [events, setEvents] = useState<string[]>(all ? [...EVENTS] : webhook.events);
  const [filter, setFilter] = useState(webhook?.filter ?? "");
  const [secret, setSecret] = useState("");
  const [retries, setRetries] = useState(String(webhook?.retry_count ?? 3));
  const [active, setActive] = useState(webhook?.active ?? true);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = error instanceof ApiError ? error.fields : {};

  const toggle = (event: string, on: boolean) => setEvents(on ? [...events.filter((e) => e !== event), event] : events.filter((e) => e !== event));

  async function submit(e: Event) {
    e.preventDefault();
    if (events.length === 0) {
      setError(new ApiError("Choose at least one event.", 0, "EVENTS", { events: "choose at least one event" }));
      return;
    }
    setBusy(true);
    setError(null);
    const body: Record<string, unknown> = {
      url: url.trim(),
      collection_name: collection,
      events: events.length === EVENTS.length ? ["*"] : EVENTS.filter((ev) => events.includes(ev)),
      filter: filter.trim() || null,
      retry_count: Number(retries),
      active,
    };
    if (secret) body.secret = secret;
    try {
      const saved = webhook ? await api<Webhook>("PATCH", `/api/v1/webhooks/${encodeURIComponent(webhook.id)}`, { body }) : await api<Webhook>("POST", "/api/v1/webhooks", { body });
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="ops-form" onSubmit={submit} noValidate>
      <TextField label="Target URL" type="url" required value={url} onValue={setUrl} error={fields.url} hint="Cairn POSTs each matching change here, signed with the secret." />
      <SelectField
        label="Collection"
        value={collection}
        onValue={setCollection}
        error={fields.collection_name}
        options={collections.length ? collections.map((c) => c.name) : [{ value: "", label: "No collections yet" }]}
      />
      <fieldset class="ops-events">
        <legend>Events</legend>
        {EVENTS.map((ev) => (
          <Checkbox key={ev} label={ev} checked={events.includes(ev)} onChecked={(on) => toggle(ev, on)} />
        ))}
        {fields.events && (
          <div class="field-error" role="alert">
            {fields.events}
          </div>
        )}
      </fieldset>
      <TextField label="Filter (optional)" value={filter} onValue={setFilter} error={fields.filter} spellcheck={false} hint={'Only records matching it, e.g. status = "paid" && total > 10'} />
      <TextField
        label={webhook ? "New secret (optional)" : "Secret (optional)"}
        value={secret}
        onValue={setSecret}
        error={fields.secret}
        autoComplete="off"
        spellcheck={false}
        hint={webhook ? "Leave empty to keep the current secret." : "Leave empty and Cairn generates one (whsec_…)."}
      />
      <TextField
        label="Retries"
        type="number"
        min={0}
        max={10}
        value={retries}
        onValue={setRetries}
        error={fields.retry_count}
        hint="How often a failed attempt is retried (0–10), waiting 4 s, 16 s, 64 s, …"
      />
      <Checkbox label="Active" checked={active} onChecked={setActive} hint="Paused webhooks queue nothing." />
      <ErrorNote error={error} shown={SHOWN.filter((k) => fields[k])} />
      <div class="ops-form-actions">
        <button type="submit" class="primary" disabled={busy}>
          {webhook ? "Save webhook" : "Create webhook"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
