// Files: every upload the user may see (superadmins: all), newest first, with thumbnails of
// images; filter by collection, page, upload, download, copy the address, delete.
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
import { FileThumb } from "../components/operations/file-thumb.tsx";
import type { StoredFile } from "../components/operations/file-types.ts";
import { FileUpload } from "../components/operations/file-upload.tsx";
import { absoluteUrl, copyText, formatBytes, formatTime } from "../lib/format.ts";
import { Pager } from "../components/operations/pager.tsx";

const PER_PAGE = 20;

export default function Files({ query }: PageProps) {
  const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
  const collection = query.get("collection") ?? "";
  const { items: collections } = useCollections();
  const [rows, setRows] = useState<StoredFile[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [uploading, setUploading] = useState(false);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    const q = new URLSearchParams({ page: String(page), per_page: String(PER_PAGE), ...(collection ? { collection_name: collection } : {}) });
    api<{ items: StoredFile[]; total: number }>("GET", `/api/v1/files?${q}`).then(
      (r) => {
        if (!live) return;
        setRows(r.items);
        setTotal(r.total);
        setError(null);
      },
      (err) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [page, collection, tick]);

  async function download(f: StoredFile) {
    try {
      // a short-lived signed address: the browser downloads it itself, without the token
      const signed = await api<{ url: string }>("GET", `/api/v1/files/${encodeURIComponent(f.id)}/signed-url?expires_in=60`);
      const a = document.createElement("a");
      a.href = `${signed.url}&download=true`;
      a.download = f.name;
      document.body.append(a);
      a.click();
      a.remove();
    } catch (err) {
      setError(err);
    }
  }

  async function copy(f: StoredFile) {
    const url = absoluteUrl(f.url);
    if (await copyText(url)) notify(`Copied ${url}`);
    else notify(`Copy this address: ${url}`);
  }

  async function remove(f: StoredFile) {
    if (!confirm(`Delete ${f.name}? This cannot be undone.`)) return;
    try {
      await api("DELETE", `/api/v1/files/${encodeURIComponent(f.id)}`);
      notify(`Deleted ${f.name}`);
      setTick(tick + 1);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Page
      title="Files"
      actions={
        <button type="button" class="primary" onClick={() => setUploading(true)}>
          Upload a file
        </button>
      }
    >
      <div class="ops-toolbar">
        <SelectField
          label="Collection"
          value={collection}
          onValue={(c) => navigate("/files", { collection: c }, true)}
          options={[{ value: "", label: "All files" }, ...collections.map((c) => c.name)]}
        />
      </div>
      <ErrorNote error={error} />
      {rows === null && !error && <p class="loading">Loading files…</p>}
      {rows && (
        <DataTable<StoredFile>
          caption="Files, newest first"
          rows={rows}
          rowKey={(f) => f.id}
          empty={
            <EmptyState
              title={collection ? `No files in ${collection}` : "No files yet"}
              action={
                <button type="button" class="primary" onClick={() => setUploading(true)}>
                  Upload a file
                </button>
              }
            >
              Upload a file here, or through a record's file field; files no record takes are removed after the grace period (setting orphan_file_grace_hours).
            </EmptyState>
          }
          columns={[
            { key: "thumb", label: "Preview", render: (f) => <FileThumb file={f} /> },
            { key: "name", label: "Name", render: (f) => <span class="ops-name">{f.name}</span> },
            { key: "type", label: "Type" },
            { key: "size", label: "Size", numeric: true, render: (f) => <span class="ops-nowrap">{formatBytes(f.size)}</span> },
            {
              key: "record",
              label: "Collection / record",
              render: (f) =>
                f.collection_name ? (
                  f.record_id ? (
                    <a href={href(`/collections/${encodeURIComponent(f.collection_name)}/records/${encodeURIComponent(f.record_id)}`)}>
                      {f.collection_name} / {f.record_id.slice(0, 8)}…{f.field_name ? ` (${f.field_name})` : ""}
                    </a>
                  ) : (
                    f.collection_name
                  )
                ) : (
                  <span class="ops-muted">not attached</span>
                ),
            },
            { key: "created", label: "Uploaded", render: (f) => <span class="ops-nowrap">{formatTime(f.created)}</span> },
            {
              key: "actions",
              label: "Actions",
              render: (f) => (
                <span class="ops-row-actions">
                  <button type="button" onClick={() => download(f)} aria-label={`Download ${f.name}`}>
                    Download
                  </button>
                  <button type="button" onClick={() => copy(f)} aria-label={`Copy URL of ${f.name}`}>
                    Copy URL
                  </button>
                  <button type="button" class="danger" onClick={() => remove(f)} aria-label={`Delete ${f.name}`}>
                    Delete
                  </button>
                </span>
              ),
            },
          ]}
        />
      )}
      <Pager label="File pages" offset={(page - 1) * PER_PAGE} limit={PER_PAGE} total={total} onOffset={(o) => navigate("/files", { collection, page: o ? String(o / PER_PAGE + 1) : null }, true)} />
      <Dialog title="Upload a file" open={uploading} onClose={() => setUploading(false)}>
        {uploading && (
          <FileUpload
            onUploaded={(f) => {
              setUploading(false);
              notify(`Uploaded ${f.name}`);
              if (page !== 1) navigate("/files", { collection }, true);
              else setTick(tick + 1);
            }}
            onCancel={() => setUploading(false)}
          />
        )}
      </Dialog>
    </Page>
  );
}
