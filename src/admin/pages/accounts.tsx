// Tenant accounts (GET /api/v1/accounts): superadmins see and manage all of them, an account
// admin sees only their own. Opening one shows its users and invitations.
import { useState } from "preact/hooks";
import { api } from "../lib/api.ts";
import { href, navigate } from "../lib/router.ts";
import { session } from "../lib/session.ts";
import { useStore } from "../lib/store.ts";
import type { PageProps } from "../routes.ts";
import { DataTable } from "../ui/data-table.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { EmptyState } from "../ui/empty-state.tsx";
import { ErrorNote } from "../ui/error-note.tsx";
import { TextField } from "../ui/field.tsx";
import { Page } from "../ui/page.tsx";
import { notify } from "../ui/toast.tsx";
import { AccountForm } from "../components/access/account-form.tsx";
import { AccountInvitations } from "../components/access/account-invitations.tsx";
import { AccountUsers } from "../components/access/account-users.tsx";
import { LoadError } from "../components/access/forbidden-note.tsx";
import { loadRoles, type AccountRow } from "../components/access/options.ts";
import { useLoad, useSettled, when } from "../components/access/use-load.ts";

const SIZE = 25;

export default function AccountsPage({ query }: PageProps) {
  useStore(session);
  const superadmin = session.isSuperadmin;
  const selected = query.get("id");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const [dialog, setDialog] = useState<"new" | AccountRow | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const term = useSettled(search);
  const list = useLoad(
    (signal) =>
      api<{ items: AccountRow[]; total: number; total_pages: number }>("GET", `/api/v1/accounts?page=${page}&page_size=${SIZE}&search=${encodeURIComponent(term)}&sort_by=name&sort_order=asc`, {
        signal,
      }),
    [page, term],
  );
  const roles = useLoad((signal) => loadRoles(signal), []);
  const detail = useLoad((signal) => (selected ? api<AccountRow>("GET", `/api/v1/accounts/${encodeURIComponent(selected)}`, { signal }) : Promise.resolve(null)), [selected, version]);
  const current = selected && detail.data?.id === selected ? detail.data : null;

  async function remove(a: AccountRow) {
    if (!confirm(`Delete the account "${a.name}" with all its users, records, files and webhooks? This cannot be undone.`)) return;
    setError(null);
    try {
      await api("DELETE", `/api/v1/accounts/${encodeURIComponent(a.id)}`);
      notify(`Account "${a.name}" deleted`);
      if (selected) navigate("/accounts");
      list.reload();
    } catch (err) {
      setError(err);
    }
  }
  const rows = list.data?.items ?? [];
  return (
    <Page
      title={current ? `Account ${current.name}` : "Accounts"}
      breadcrumb={current ? <a href={href("/accounts")}>Accounts</a> : undefined}
      actions={
        superadmin && !current ? (
          <button type="button" class="primary" onClick={() => setDialog("new")}>
            New account
          </button>
        ) : current ? (
          <>
            <button type="button" onClick={() => setDialog(current)}>
              {superadmin ? "Edit" : "Rename"}
            </button>
            {superadmin && (
              <button type="button" class="danger" onClick={() => remove(current)}>
                Delete account
              </button>
            )}
          </>
        ) : undefined
      }
    >
      <ErrorNote error={error} />
      <LoadError error={list.error} what="accounts" />
      {selected ? (
        current && (
          <>
            <dl class="facts">
              <dt>Slug</dt>
              <dd>
                <code>{current.slug}</code>
              </dd>
              <dt>Code</dt>
              <dd>{current.code ? <code>{current.code}</code> : "—"}</dd>
              <dt>Users</dt>
              <dd>{current.user_count}</dd>
              <dt>Created</dt>
              <dd>{when(current.created_at)}</dd>
            </dl>
            <AccountUsers accountId={current.id} version={version} />
            <ErrorNote error={roles.error} />
            <AccountInvitations accountId={current.id} roles={roles.data ?? []} />
          </>
        )
      ) : (
        <>
          {superadmin && (
            <form class="filters" role="search" aria-label="Search accounts" onSubmit={(e) => e.preventDefault()}>
              <TextField
                label="Search name, slug or code"
                type="search"
                value={search}
                onValue={(v) => {
                  setSearch(v);
                  setPage(1);
                }}
              />
            </form>
          )}
          {list.data && (
            <DataTable<AccountRow>
              caption="Accounts"
              rows={rows}
              rowKey={(a) => a.id}
              empty={
                search ? (
                  <EmptyState title="No account matches">Try another part of the name, slug or code.</EmptyState>
                ) : (
                  <EmptyState title="No accounts yet">Create an account for each tenant; its admins then invite their users.</EmptyState>
                )
              }
              columns={[
                { key: "name", label: "Name", render: (a) => <a href={href("/accounts", { id: a.id })}>{a.name}</a> },
                { key: "slug", label: "Slug", render: (a) => <code>{a.slug}</code> },
                { key: "code", label: "Code", render: (a) => a.code ?? "—" },
                { key: "user_count", label: "Users", numeric: true },
                { key: "created_at", label: "Created", render: (a) => when(a.created_at) },
              ]}
            />
          )}
          {list.data && list.data.total_pages > 1 && (
            <nav class="pager" aria-label="Pages of accounts">
              <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                Previous
              </button>
              <span>
                Page {page} of {list.data.total_pages} ({list.data.total} accounts)
              </span>
              <button type="button" disabled={page >= list.data.total_pages} onClick={() => setPage(page + 1)}>
                Next
              </button>
            </nav>
          )}
        </>
      )}
      {selected && <ErrorNote error={detail.error} />}
      <Dialog title={dialog === "new" ? "New account" : `Edit ${dialog?.name ?? "account"}`} open={dialog !== null} onClose={() => setDialog(null)}>
        {dialog !== null && (
          <AccountForm
            account={dialog === "new" ? undefined : dialog}
            canSlug={superadmin}
            onCancel={() => setDialog(null)}
            onSaved={(a) => {
              setDialog(null);
              notify(`Account "${a.name}" saved`);
              setVersion(version + 1);
              list.reload();
            }}
          />
        )}
      </Dialog>
    </Page>
  );
}
