// One delivery in full: what was sent (event, record, message id) and what came back (status
// code, the first KiB of the response body, the error), with "Redeliver".
import { formatTime } from "../../lib/format.ts";
import { StatusBadge } from "./status-badge.tsx";
import type { Delivery } from "./webhook-types.ts";

export function DeliveryDetail({ delivery: d, onRedeliver, busy }: { delivery: Delivery; onRedeliver: () => void; busy: boolean }) {
  return (
    <div class="ops-delivery">
      <h3>Request</h3>
      <dl class="ops-facts">
        <dt>Event</dt>
        <dd>
          {d.event} on {d.collection_name}
        </dd>
        <dt>Record</dt>
        <dd>{d.record_id ? <code>{d.record_id}</code> : "—"}</dd>
        <dt>Message id (webhook-id)</dt>
        <dd>
          <code>{d.message_id}</code>
        </dd>
        <dt>Delivery id (X-Webhook-Delivery)</dt>
        <dd>
          <code>{d.id}</code>
        </dd>
        <dt>Sent because of</dt>
        <dd>{d.redelivery === 0 ? "the event" : `manual redelivery #${d.redelivery}`}</dd>
        <dt>Queued</dt>
        <dd>{formatTime(d.created)}</dd>
      </dl>
      <h3>Response</h3>
      <dl class="ops-facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={d.status} />
        </dd>
        <dt>Attempts</dt>
        <dd>{d.attempt}</dd>
        <dt>Response code</dt>
        <dd>{d.status_code ?? "—"}</dd>
        <dt>Duration</dt>
        <dd>{d.duration_ms === null ? "—" : `${d.duration_ms} ms`}</dd>
        <dt>Last attempt</dt>
        <dd>{formatTime(d.updated)}</dd>
        {d.next_retry_at && d.status === "pending" && (
          <>
            <dt>Next attempt</dt>
            <dd>{formatTime(d.next_retry_at)}</dd>
          </>
        )}
        {d.error && (
          <>
            <dt>Error</dt>
            <dd class="ops-error-text">{d.error}</dd>
          </>
        )}
      </dl>
      <h3>Response body</h3>
      {d.response_body ? <pre class="ops-body">{d.response_body}</pre> : <p class="ops-muted">No body (or no answer).</p>}
      <p class="hint">The body sent is the record event described in the README ("What the receiver gets"); the log keeps the answer's first KiB.</p>
      <div class="ops-form-actions">
        <button type="button" class="primary" onClick={onRedeliver} disabled={busy}>
          Redeliver
        </button>
      </div>
    </div>
  );
}
