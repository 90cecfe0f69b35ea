// Your API keys (GET /api/v1/api-keys): create one (its secret shown once), deactivate or
// reactivate, delete, and revoke them all.
import { useState } from "preact/hooks";
import { api } from "../lib/api.ts";
import type { PageProps } from "../routes.ts";
import { DataTable } from "../ui/data-table.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { EmptyState } from "../ui/empty-state.tsx";
import { ErrorNote } from "../ui/error-note.tsx";
import { Page } from "../ui/page.tsx";
import { notify } from "../ui/toast.tsx";
import { KeyCreated } from "../components/access/key-created.tsx";
import { KeyForm, type CreatedKey } from "../components/access/key-form.tsx";
import { LoadError } from "../components/access/forbidden-note.tsx";
import { useLoad, when } from "../components/access/use-load.ts";

interface ApiKey {
  id: string;
  name: string;
  key_prefix: string;
  scopes: string[];
  active: boolean;
  expires_at: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
  created: string;
}

function status(k: ApiKey): string {
  if (!k.active) return "Inactive";
  if (k.expires_at && new Date(k.expires_at).getTime() < Date.now()) return "Expired";
  return "Active";
}

export default function ApiKeysPage(_props: PageProps) {
  const keys = useLoad((signal) => api<ApiKey[]>("GET", "/api/v1/api-keys", { signal }), []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  async function act(what: () => Promise<unknown>, done: string) {
    setActionError(null);
    try {
      await what();
      notify(done);
      keys.reload();
    } catch (err) {
      setActionError(err);
    }
  }
  const toggle = (k: ApiKey) => act(() => api("PATCH", `/api/v1/api-keys/${k.id}`, { body: { active: !k.active } }), k.active ? `Key "${k.name}" deactivated` : `Key "${k.name}" reactivated`);
  const remove = (k: ApiKey) => confirm(`Delete the API key "${k.name}"? Programs using it stop working at once.`) && act(() => api("DELETE", `/api/v1/api-keys/${k.id}`), `Key "${k.name}" deleted`);
  const revokeAll = () =>
    confirm("Revoke all your API keys? Every program using one of them stops working at once.") && act(() => api("POST", "/api/v1/api-keys/revoke-all"), "All your keys were revoked");

  const rows = keys.data ?? [];
  return (
    <Page
      title="API keys"
      actions={
        <>
          {rows.some((k) => k.active) && (
            <button type="button" class="danger" onClick={revokeAll}>
              Revoke all
            </button>
          )}
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            New API key
          </button>
        </>
      }
    >
      <p class="page-intro">Keys let servers and scripts call the API as you, limited by their scopes. A key's secret is shown once, when it is created.</p>
      <ErrorNote error={actionError} />
      <LoadError error={keys.error} what="API keys" />
      {keys.loading && !keys.data ? (
        <p class="loading">Loading…</p>
      ) : (
        keys.data && (
          <DataTable<ApiKey>
            caption="Your API keys"
            rows={rows}
            rowKey={(k) => k.id}
            empty={
              <EmptyState
                title="No API keys yet"
                action={
                  <button type="button" class="primary" onClick={() => setCreating(true)}>
                    Create your first key
                  </button>
                }
              >
                Create a key for each program that calls Cairn, with only the scopes it needs.
              </EmptyState>
            }
            columns={[
              { key: "name", label: "Name" },
              { key: "key_prefix", label: "Prefix", render: (k) => <code>{k.key_prefix}…</code> },
              { key: "scopes", label: "Scopes", render: (k) => k.scopes.join(", ") },
              { key: "active", label: "Status", render: (k) => <span class={`badge badge-${status(k).toLowerCase()}`}>{status(k)}</span> },
              { key: "expires_at", label: "Expires", render: (k) => (k.expires_at ? when(k.expires_at) : "never") },
              { key: "last_used_at", label: "Last used", render: (k) => (k.last_used_at ? `${when(k.last_used_at)}${k.last_used_ip ? ` from ${k.last_used_ip}` : ""}` : "never") },
              {
                key: "actions",
                label: "Actions",
                render: (k) => (
                  <div class="row-actions">
                    <button type="button" onClick={() => toggle(k)} aria-label={`${k.active ? "Deactivate" : "Reactivate"} ${k.name}`}>
                      {k.active ? "Deactivate" : "Reactivate"}
                    </button>
                    <button type="button" class="danger" onClick={() => remove(k)} aria-label={`Delete ${k.name}`}>
                      Delete
                    </button>
                  </div>
                ),
              },
            ]}
          />
        )
      )}
      <Dialog title="New API key" open={creating} onClose={() => setCreating(false)}>
        <KeyForm
          onCancel={() => setCreating(false)}
          onCreated={(k) => {
            setCreating(false);
            setCreated(k);
            keys.reload();
          }}
        />
      </Dialog>
      <KeyCreated secret={created?.key ?? null} name={created?.name ?? ""} onClose={() => setCreated(null)} />
    </Page>
  );
}
