// A webhook's delivery log, newest first: filter by status, page, see one in full, redeliver.
// It refreshes by itself — every second while a delivery is pending, every 5 s otherwise — and
// on "Refresh".
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../lib/api.ts";
import { DataTable } from "../../ui/data-table.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";
import { SelectField } from "../../ui/field.tsx";
import { notify } from "../../ui/toast.tsx";
import { DeliveryDetail } from "./delivery-detail.tsx";
import { formatTime } from "../../lib/format.ts";
import { Pager } from "./pager.tsx";
import { StatusBadge } from "./status-badge.tsx";
import { explain, type Delivery } from "./webhook-types.ts";

const LIMIT = 20;
const state = (d: Delivery) => `${d.id}:${d.status}:${d.attempt}`;

export function DeliveryLog({ webhookId, onChange }: { webhookId: string; /** called when the log changed (new deliveries, new states) */ onChange?: () => void }) {
  const [status, setStatus] = useState("");
  const [offset, setOffset] = useState(0);
  const [items, setItems] = useState<Delivery[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<Delivery | null>(null);
  const [detailError, setDetailError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const base = `/api/v1/webhooks/${encodeURIComponent(webhookId)}/deliveries`;
  const pending = items?.some((d) => d.status === "pending") ?? false;
  const request = useRef(0);
  const seen = useRef<string | null>(null);

  useEffect(() => {
    const n = ++request.current;
    api<{ items: Delivery[]; total: number }>("GET", `${base}?${new URLSearchParams({ ...(status ? { status } : {}), skip: String(offset), limit: String(LIMIT) })}`).then(
      (r) => {
        if (n !== request.current) return;
        const signature = r.items.map(state).join(",");
        if (seen.current !== null && seen.current !== signature) onChange?.();
        seen.current = signature;
        setItems(r.items);
        setTotal(r.total);
        setError(null);
        setOpen((o) => (o ? (r.items.find((d) => d.id === o.id) ?? o) : o));
      },
      (err) => n === request.current && setError(explain(err)),
    );
  }, [base, status, offset, tick]);

  useEffect(() => {
    const timer = setTimeout(() => document.visibilityState === "visible" && setTick((t) => t + 1), pending ? 1000 : 5000);
    return () => clearTimeout(timer);
  }, [tick, pending, items]);

  useEffect(() => {
    const back = () => document.visibilityState === "visible" && setTick((t) => t + 1);
    document.addEventListener("visibilitychange", back);
    return () => document.removeEventListener("visibilitychange", back);
  }, []);

  async function redeliver(d: Delivery) {
    setBusy(true);
    setDetailError(null);
    try {
      const fresh = await api<Delivery>("POST", `${base}/${encodeURIComponent(d.id)}/redeliver`);
      notify("Redelivery queued");
      setOpen(null);
      setStatus("");
      setOffset(0);
      setItems((list) => (list ? [fresh, ...list.filter((x) => x.id !== fresh.id)] : [fresh]));
      setTick((t) => t + 1);
    } catch (err) {
      setDetailError(explain(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="ops-log" aria-labelledby="delivery-log-title">
      <div class="ops-log-head">
        <h2 id="delivery-log-title">Deliveries</h2>
        <div class="ops-toolbar">
          <SelectField
            label="Status"
            value={status}
            onValue={(s) => {
              setStatus(s);
              setOffset(0);
            }}
            options={[{ value: "", label: "All" }, "pending", "delivered", "failed"]}
          />
          <button type="button" onClick={() => setTick((t) => t + 1)}>
            Refresh
          </button>
        </div>
      </div>
      <p class="hint" aria-live="polite">
        {pending ? "Deliveries are pending: refreshing every second." : "Refreshes every 5 seconds."}
      </p>
      <ErrorNote error={error} />
      {open === null && <ErrorNote error={detailError} />}
      {items === null && !error && <p class="loading">Loading deliveries…</p>}
      {items && (
        <DataTable<Delivery>
          caption="Deliveries, newest first"
          rows={items}
          rowKey={(d) => d.id}
          empty={
            <EmptyState title={status ? `No ${status} deliveries` : "No deliveries yet"}>
              {status ? "Choose another status to see the rest of the log." : "Create, update or delete a record of the webhook's collection: each matching change is delivered and logged here."}
            </EmptyState>
          }
          columns={[
            { key: "created", label: "Time", render: (d) => <span class="ops-nowrap">{formatTime(d.created)}</span> },
            { key: "event", label: "Event", render: (d) => (d.redelivery ? `${d.event} (redelivery ${d.redelivery})` : d.event) },
            { key: "status", label: "Status", render: (d) => <StatusBadge status={d.status} /> },
            { key: "attempt", label: "Attempts", numeric: true, render: (d) => String(d.attempt) },
            { key: "code", label: "Response", numeric: true, render: (d) => (d.status_code === null ? "—" : String(d.status_code)) },
            { key: "duration", label: "Duration", numeric: true, render: (d) => (d.duration_ms === null ? "—" : `${d.duration_ms} ms`) },
            {
              key: "actions",
              label: "Actions",
              render: (d) => (
                <span class="ops-row-actions">
                  <button type="button" onClick={() => (setDetailError(null), setOpen(d))} aria-label={`Details of the ${d.event} delivery of ${formatTime(d.created)}`}>
                    Details
                  </button>
                  <button type="button" onClick={() => redeliver(d)} disabled={busy} aria-label={`Redeliver the ${d.event} delivery of ${formatTime(d.created)}`}>
                    Redeliver
                  </button>
                </span>
              ),
            },
          ]}
        />
      )}
      <Pager label="Delivery pages" offset={offset} limit={LIMIT} total={total} onOffset={setOffset} />
      <Dialog title="Delivery" open={open !== null} onClose={() => setOpen(null)} wide>
        {open && (
          <>
            <DeliveryDetail delivery={open} onRedeliver={() => redeliver(open)} busy={busy} />
            <ErrorNote error={detailError} />
          </>
        )}
      </Dialog>
    </section>
  );
}
