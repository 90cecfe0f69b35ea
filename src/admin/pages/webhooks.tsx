// Webhooks: every webhook with its collection, events, state and latest delivery; create, edit
// and delete them. Superadmins only (the API answers 403 to others, shown in words).
import { useEffect, useState } from "preact/hooks";
import { api } from "../lib/api.ts";
import { useCollections } from "../lib/collections.ts";
import { href, navigate } from "../lib/router.ts";
import type { PageProps } from "../routes.ts";
import { DataTable } from "../ui/data-table.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { EmptyState } from "../ui/empty-state.tsx";
import { ErrorNote } from "../ui/error-note.tsx";
import { SelectField } from "../ui/field.tsx";
import { Page } from "../ui/page.tsx";
import { notify } from "../ui/toast.tsx";
import { formatTime } from "../lib/format.ts";
import { Pager } from "../components/operations/pager.tsx";
import { ActiveBadge, StatusBadge } from "../components/operations/status-badge.tsx";
import { WebhookForm } from "../components/operations/webhook-form.tsx";
import { loadWebhooks, type WebhookRow } from "../components/operations/webhook-list.ts";
import { eventsLabel, explain, type Webhook } from "../components/operations/webhook-types.ts";

const LIMIT = 25;

export default function Webhooks({ query }: PageProps) {
  const offset = Number(query.get("offset") ?? 0) || 0;
  const collection = query.get("collection") ?? "";
  const { items: collections } = useCollections();
  const [rows, setRows] = useState<WebhookRow[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<Webhook | "new" | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    loadWebhooks(offset, LIMIT, collection).then(
      (r) => {
        if (!live) return;
        setRows(r.items);
        setTotal(r.total);
        setError(null);
      },
      (err) => live && setError(explain(err)),
    );
    return () => {
      live = false;
    };
  }, [offset, collection, tick]);

  async function remove(w: Webhook) {
    if (!confirm(`Delete the webhook to ${w.url}? Its delivery log goes with it.`)) return;
    try {
      await api("DELETE", `/api/v1/webhooks/${encodeURIComponent(w.id)}`);
      notify("Webhook deleted");
      setTick(tick + 1);
    } catch (err) {
      setError(explain(err));
    }
  }

  function saved(w: Webhook) {
    const created = editing === "new";
    setEditing(null);
    notify(created ? "Webhook created" : "Webhook saved");
    if (created) navigate(`/webhooks/${encodeURIComponent(w.id)}`);
    else setTick(tick + 1);
  }

  return (
    <Page
      title="Webhooks"
      actions={
        <button type="button" class="primary" onClick={() => setEditing("new")}>
          New webhook
        </button>
      }
    >
      <div class="ops-toolbar">
        <SelectField
          label="Collection"
          value={collection}
          onValue={(c) => navigate("/webhooks", { collection: c }, true)}
          options={[{ value: "", label: "All collections" }, ...collections.map((c) => c.name)]}
        />
      </div>
      <ErrorNote error={error} />
      {rows === null && !error && <p class="loading">Loading webhooks…</p>}
      {rows && (
        <DataTable<WebhookRow>
          caption="Webhooks"
          rows={rows}
          rowKey={(w) => w.id}
          empty={
            <EmptyState
              title={collection ? `No webhooks for ${collection}` : "No webhooks yet"}
              action={
                <button type="button" class="primary" onClick={() => setEditing("new")}>
                  Create a webhook
                </button>
              }
            >
              A webhook posts every create, update or delete of a collection's records to a URL, signed with its secret.
            </EmptyState>
          }
          columns={[
            {
              key: "url",
              label: "URL",
              render: (w) => (
                <a href={href(`/webhooks/${encodeURIComponent(w.id)}`)} class="ops-url">
                  {w.url}
                </a>
              ),
            },
            { key: "collection", label: "Collection", render: (w) => w.collection_name ?? "every collection" },
            { key: "events", label: "Events", render: (w) => eventsLabel(w.events) },
            { key: "active", label: "State", render: (w) => <ActiveBadge active={w.active} /> },
            {
              key: "last",
              label: "Last delivery",
              render: (w) =>
                w.last ? (
                  <span class="ops-last">
                    <StatusBadge status={w.last.status} /> {w.last.status_code ?? ""} <span class="ops-muted">{formatTime(w.last.created)}</span>
                  </span>
                ) : (
                  <span class="ops-muted">none yet</span>
                ),
            },
            {
              key: "actions",
              label: "Actions",
              render: (w) => (
                <span class="ops-row-actions">
                  <button type="button" onClick={() => setEditing(w)} aria-label={`Edit webhook to ${w.url}`}>
                    Edit
                  </button>
                  <button type="button" class="danger" onClick={() => remove(w)} aria-label={`Delete webhook to ${w.url}`}>
                    Delete
                  </button>
                </span>
              ),
            },
          ]}
        />
      )}
      <Pager label="Webhook pages" offset={offset} limit={LIMIT} total={total} onOffset={(o) => navigate("/webhooks", { collection, offset: o ? String(o) : null }, true)} />
      <Dialog title={editing === "new" ? "New webhook" : "Edit webhook"} open={editing !== null} onClose={() => setEditing(null)} wide>
        {editing !== null && <WebhookForm webhook={editing === "new" ? undefined : editing} onSaved={saved} onCancel={() => setEditing(null)} />}
      </Dialog>
    </Page>
  );
}
