// One webhook: its settings (edit, pause, delete) and its delivery log with redelivery.
import { useEffect, useState } from "preact/hooks";
import { api } from "../lib/api.ts";
import { href, navigate } from "../lib/router.ts";
import type { PageProps } from "../routes.ts";
import { Dialog } from "../ui/dialog.tsx";
import { ErrorNote } from "../ui/error-note.tsx";
import { Page } from "../ui/page.tsx";
import { notify } from "../ui/toast.tsx";
import { DeliveryLog } from "../components/operations/delivery-log.tsx";
import { formatTime } from "../lib/format.ts";
import { ActiveBadge } from "../components/operations/status-badge.tsx";
import { WebhookForm } from "../components/operations/webhook-form.tsx";
import { eventsLabel, explain, type Webhook } from "../components/operations/webhook-types.ts";

export default function WebhookDetail({ params }: PageProps) {
  const id = params.id ?? "";
  const path = `/api/v1/webhooks/${encodeURIComponent(id)}`;
  const [webhook, setWebhook] = useState<Webhook | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [showSecret, setShowSecret] = useState(false);

  const [tick, setTick] = useState(0);

  // read again when the delivery log changes (last triggered)
  useEffect(() => {
    api<Webhook>("GET", path).then(setWebhook, (err) => setError(explain(err)));
  }, [path, tick]);

  async function setActive(active: boolean) {
    try {
      setWebhook(await api<Webhook>("PATCH", path, { body: { active } }));
      notify(active ? "Webhook active" : "Webhook paused");
    } catch (err) {
      setError(explain(err));
    }
  }

  async function remove() {
    if (!webhook || !confirm(`Delete the webhook to ${webhook.url}? Its delivery log goes with it.`)) return;
    try {
      await api("DELETE", path);
      notify("Webhook deleted");
      navigate("/webhooks");
    } catch (err) {
      setError(explain(err));
    }
  }

  return (
    <Page
      title={webhook ? `Webhook to ${hostOf(webhook.url)}` : "Webhook"}
      breadcrumb={<a href={href("/webhooks")}>Webhooks</a>}
      actions={
        webhook && (
          <>
            <button type="button" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button type="button" onClick={() => setActive(!webhook.active)}>
              {webhook.active ? "Pause" : "Activate"}
            </button>
            <button type="button" class="danger" onClick={remove}>
              Delete
            </button>
          </>
        )
      }
    >
      <ErrorNote error={error} />
      {!webhook && !error && <p class="loading">Loading the webhook…</p>}
      {webhook && (
        <>
          <dl class="ops-facts card">
            <dt>URL</dt>
            <dd>
              <code class="ops-url">{webhook.url}</code>
            </dd>
            <dt>Collection</dt>
            <dd>{webhook.collection_name ?? "every collection"}</dd>
            <dt>Events</dt>
            <dd>{eventsLabel(webhook.events)}</dd>
            <dt>Filter</dt>
            <dd>{webhook.filter ? <code>{webhook.filter}</code> : "none (every record)"}</dd>
            <dt>State</dt>
            <dd>
              <ActiveBadge active={webhook.active} />
            </dd>
            <dt>Retries</dt>
            <dd>{webhook.retry_count}</dd>
            <dt>Secret</dt>
            <dd>
              <code>{showSecret ? webhook.secret : "••••••••"}</code>{" "}
              <button type="button" class="ghost" onClick={() => setShowSecret(!showSecret)}>
                {showSecret ? "Hide" : "Show"}
              </button>
            </dd>
            <dt>Last triggered</dt>
            <dd>{formatTime(webhook.last_triggered_at)}</dd>
          </dl>
          <DeliveryLog webhookId={webhook.id} onChange={() => setTick((t) => t + 1)} />
          <Dialog title="Edit webhook" open={editing} onClose={() => setEditing(false)} wide>
            {editing && (
              <WebhookForm
                webhook={webhook}
                onSaved={(w) => {
                  setWebhook(w);
                  setEditing(false);
                  notify("Webhook saved");
                }}
                onCancel={() => setEditing(false)}
              />
            )}
          </Dialog>
        </>
      )}
    </Page>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
