// Backups (superadmin): the archives in the data directory, newest first; take one now (a job with
// live progress), download one, restore one (a job; the server takes a safety backup first), delete.
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "../lib/api.ts";
import { reloadCollections } from "../lib/collections.ts";
import type { PageProps } from "../routes.ts";
import { DataTable } from "../ui/data-table.tsx";
import { EmptyState } from "../ui/empty-state.tsx";
import { ErrorNote } from "../ui/error-note.tsx";
import { Page } from "../ui/page.tsx";
import { notify } from "../ui/toast.tsx";
import { JobProgress } from "../components/system/job-progress.tsx";
import { downloadFile, followJob, jobFromRest, type Job } from "../components/system/jobs.ts";
import { formatBytes, formatTime as formatDate } from "../lib/format.ts";
import { LoadError } from "../components/system/load-error.tsx";

interface Backup {
  id: string;
  filename: string;
  size_bytes: number;
  created: string;
  database: string;
  reason: string;
  rows?: number;
  collections?: number;
  files?: number;
}

interface Listing {
  items: Backup[];
  page: number;
  total: number;
  total_pages: number;
}

interface Running {
  label: string;
  job: Job;
}

export default function Backups(_props: PageProps) {
  const [page, setPage] = useState(1);
  const [list, setList] = useState<Listing | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [running, setRunning] = useState<Running | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setList(await api<Listing>("GET", `/api/v1/backups?page=${page}&per_page=20`));
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  }, [page]);
  useEffect(() => void load(), [load]);

  // A backup or restore started earlier (here, in another tab, or by the schedule) and still running.
  useEffect(() => {
    void api<{ items: unknown[] }>("GET", "/api/v1/jobs?state=running").then(
      (answer) => {
        const job = answer.items.map(jobFromRest).find((j) => j.kind === "backup" || j.kind === "restore");
        if (job) setRunning((r) => r ?? { label: job.kind === "backup" ? "Creating a backup" : "Restoring a backup", job });
      },
      () => undefined, // the list above says what is wrong
    );
  }, []);

  // Follows the running job; when it is final, reloads what it changed.
  const jobId = running?.job.id;
  useEffect(() => {
    if (!jobId) return;
    return followJob(
      jobId,
      (job) => {
        setRunning((r) => (r && r.job.id === job.id ? { ...r, job } : r));
        if (job.state === "succeeded") {
          notify(job.kind === "backup" ? "Backup created" : "Backup restored");
          if (job.kind !== "backup") void reloadCollections();
          void load();
        }
      },
      (err) => setActionError(err),
    );
  }, [jobId]);

  const start = async (label: string, path: string) => {
    setActionError(null);
    setBusy(true);
    try {
      const answer = await api<{ job: unknown }>("POST", path);
      setRunning({ label, job: jobFromRest(answer.job) });
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  };

  const restore = (b: Backup) => {
    if (!confirm(`Restore ${b.filename}? Every record, file, user and setting is replaced by the backup's (a safety backup of the current state is taken first).`)) return;
    void start(`Restoring ${b.filename}`, `/api/v1/backups/${encodeURIComponent(b.filename)}/restore`);
  };
  const remove = async (b: Backup) => {
    if (!confirm(`Delete backup ${b.filename}? The archive is removed from the server.`)) return;
    setActionError(null);
    try {
      await api("DELETE", `/api/v1/backups/${encodeURIComponent(b.filename)}`);
      notify(`Deleted ${b.filename}`);
      await load();
    } catch (err) {
      setActionError(err);
    }
  };
  const download = async (b: Backup) => {
    setActionError(null);
    try {
      await downloadFile(`/api/v1/backups/${encodeURIComponent(b.filename)}`, b.filename);
    } catch (err) {
      setActionError(err);
    }
  };

  const active = running && !["succeeded", "failed", "cancelled"].includes(running.job.state);
  return (
    <Page
      title="Backups"
      actions={
        <button type="button" class="primary" disabled={busy || Boolean(active) || Boolean(loadError)} onClick={() => void start("Creating a backup", "/api/v1/backups")}>
          Create backup
        </button>
      }
    >
      <p class="hint">
        A backup holds the whole database and the uploaded files as of one moment; it restores into SQLite or PostgreSQL. Scheduled backups are set on the <a href="#/settings">Settings</a> page (
        <code>backup_schedule</code>, <code>backup_keep</code>).
      </p>
      {running && (
        <div class="card system-job" role="region" aria-label="Backup job">
          <JobProgress job={running.job} label={running.label} />
          {running.job.state === "succeeded" && running.job.result?.backup && (
            <p>
              {running.job.kind === "backup" ? "Created" : "Restored"} <code>{running.job.result.backup.filename ?? running.job.result.backup.id ?? ""}</code>
              {running.job.result.backup.sizeBytes ? `, ${formatBytes(running.job.result.backup.sizeBytes)}` : ""}
            </p>
          )}
          {running.job.state === "succeeded" && running.job.kind !== "backup" && <p class="hint">Users and sessions are now those of the backup: if you are signed out, sign in again.</p>}
        </div>
      )}
      <ErrorNote error={actionError} />
      <LoadError error={loadError} what="Managing backups" />
      {list && (
        <DataTable<Backup>
          caption="Backups"
          rows={list.items}
          rowKey={(b) => b.filename}
          empty={
            <EmptyState title="No backups yet">
              Press “Create backup” to take one now, or set <code>backup_schedule</code> in Settings to take them on a schedule.
            </EmptyState>
          }
          columns={[
            { key: "filename", label: "Name", render: (b) => <code>{b.filename}</code> },
            { key: "size", label: "Size", numeric: true, render: (b) => formatBytes(b.size_bytes) },
            { key: "created", label: "Created", render: (b) => formatDate(b.created) },
            { key: "database", label: "Database" },
            { key: "reason", label: "Reason" },
            {
              key: "actions",
              label: "Actions",
              render: (b) => (
                <div class="row-actions">
                  <button type="button" onClick={() => void download(b)} aria-label={`Download ${b.filename}`}>
                    Download
                  </button>
                  <button type="button" disabled={Boolean(active)} onClick={() => restore(b)} aria-label={`Restore ${b.filename}`}>
                    Restore
                  </button>
                  <button type="button" class="danger" onClick={() => void remove(b)} aria-label={`Delete ${b.filename}`}>
                    Delete
                  </button>
                </div>
              ),
            },
          ]}
        />
      )}
      {list && list.total_pages > 1 && (
        <nav class="pager" aria-label="Backup pages">
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous
          </button>
          <span>
            Page {list.page} of {list.total_pages} ({list.total} backups)
          </span>
          <button type="button" disabled={page >= list.total_pages} onClick={() => setPage(page + 1)}>
            Next
          </button>
        </nav>
      )}
    </Page>
  );
}
