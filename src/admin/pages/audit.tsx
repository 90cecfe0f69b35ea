// Audit log (superadmin): who did what and when — sign-ins, admin actions, denials — newest first,
// with the API's filters, paging, each entry's details and a summary of the filtered period.
import { useEffect, useState } from "preact/hooks";
import { api, qs } from "../lib/api.ts";
import { navigate } from "../lib/router.ts";
import type { PageProps } from "../routes.ts";
import { DataTable } from "../ui/data-table.tsx";
import { EmptyState } from "../ui/empty-state.tsx";
import { Page } from "../ui/page.tsx";
import { AuditEntryDialog, type AuditEntry } from "../components/system/audit-entry.tsx";
import { AuditFilters, FILTER_KEYS, type AuditFilter } from "../components/system/audit-filters.tsx";
import { formatTime as formatDate } from "../lib/format.ts";
import { LoadError } from "../components/system/load-error.tsx";

const LIMIT = 50;

interface Listing {
  items: AuditEntry[];
  total: number;
  limit: number;
  offset: number;
}
interface Statistics {
  by_event_type: Record<string, number>;
  by_severity: Record<string, number>;
  by_outcome: Record<string, number>;
  total: number;
}

function summary(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
}

export default function Audit({ query }: PageProps) {
  const filter: AuditFilter = {};
  for (const k of FILTER_KEYS) if (query.get(k)) filter[k] = query.get(k)!;
  const offset = Math.max(0, Number(query.get("offset") ?? 0) || 0);
  const key = `${qs(filter)}|${offset}`;
  const [list, setList] = useState<Listing | null>(null);
  const [stats, setStats] = useState<Statistics | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<AuditEntry | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    api<Listing>("GET", `/api/v1/audit${qs({ ...filter, limit: LIMIT, offset })}`).then(
      (l) => live && setList(l),
      (err) => live && (setError(err), setList(null)),
    );
    api<Statistics>("GET", `/api/v1/audit/statistics${qs({ from_date: filter.from_date, to_date: filter.to_date })}`).then(
      (s) => live && setStats(s),
      () => live && setStats(null),
    );
    return () => {
      live = false;
    };
  }, [key]);

  const go = (f: AuditFilter, at = 0) => navigate("/audit", { ...f, offset: at ? String(at) : undefined }, true);
  const filtered = Object.keys(filter).length > 0;
  return (
    <Page title="Audit log">
      {stats && (
        <dl class="stats audit-stats">
          <div>
            <dt>Entries{filter.from_date || filter.to_date ? " in the period" : ""}</dt>
            <dd>{stats.total}</dd>
          </div>
          <div>
            <dt>By type</dt>
            <dd class="small">{summary(stats.by_event_type) || "—"}</dd>
          </div>
          <div>
            <dt>By severity</dt>
            <dd class="small">{summary(stats.by_severity) || "—"}</dd>
          </div>
          <div>
            <dt>By outcome</dt>
            <dd class="small">{summary(stats.by_outcome) || "—"}</dd>
          </div>
        </dl>
      )}
      <AuditFilters key={key} value={filter} error={error} onApply={(f) => go(f)} />
      <LoadError error={error} what="Reading the audit log" />
      {list && (
        <>
          <p class="hint" role="status">
            {list.total === 0 ? "No entries" : `Entries ${list.offset + 1}–${list.offset + list.items.length} of ${list.total}`}
            {filtered ? " matching the filters" : ""}
          </p>
          <DataTable<AuditEntry>
            caption="Audit log entries"
            rows={list.items}
            rowKey={(e) => e.id}
            empty={
              <EmptyState title={filtered ? "No entries match these filters" : "The audit log is empty"}>
                {filtered ? "Clear or widen the filters to see more." : "Sign-ins, admin actions and denials are recorded here as they happen."}
              </EmptyState>
            }
            columns={[
              { key: "created", label: "Time", render: (e) => <span class="audit-table-time">{formatDate(e.created)}</span> },
              { key: "event", label: "Event", render: (e) => <code>{`${e.event_type} / ${e.event_action}`}</code> },
              { key: "severity", label: "Severity", render: (e) => <span class={`badge badge-${e.severity}`}>{e.severity}</span> },
              { key: "outcome", label: "Outcome", render: (e) => <span class={`badge badge-${e.outcome}`}>{e.outcome}</span> },
              {
                key: "user",
                label: "User",
                render: (e) =>
                  e.user_id ? (
                    <a href={`#/audit?user_id=${encodeURIComponent(e.user_id)}`} title="Show only this user's entries">
                      {e.user_email ?? e.user_id}
                    </a>
                  ) : (
                    (e.user_email ?? "—")
                  ),
              },
              { key: "ip_address", label: "IP", render: (e) => e.ip_address ?? "—" },
              { key: "description", label: "Description", render: (e) => e.description ?? "" },
              {
                key: "open",
                label: "Details",
                render: (e) => (
                  <button type="button" onClick={() => setOpen(e)} aria-label={`Details of ${e.event_type} ${e.event_action} at ${formatDate(e.created)}`}>
                    Details
                  </button>
                ),
              },
            ]}
          />
          {list.total > LIMIT && (
            <nav class="pager" aria-label="Audit log pages">
              <button type="button" disabled={offset <= 0} onClick={() => go(filter, Math.max(0, offset - LIMIT))}>
                Newer
              </button>
              <span>
                Page {Math.floor(offset / LIMIT) + 1} of {Math.ceil(list.total / LIMIT)}
              </span>
              <button type="button" disabled={offset + LIMIT >= list.total} onClick={() => go(filter, offset + LIMIT)}>
                Older
              </button>
            </nav>
          )}
        </>
      )}
      <AuditEntryDialog entry={open} onClose={() => setOpen(null)} />
    </Page>
  );
}
