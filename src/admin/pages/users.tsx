// Every user of every account (superadmins; GET /api/v1/users): search by e-mail, filter by
// account, role and status, page through them, create, edit, set a password, verify, deactivate.
import { useState } from "preact/hooks";
import { api, qs } from "../lib/api.ts";
import type { PageProps } from "../routes.ts";
import { DataTable } from "../ui/data-table.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { EmptyState } from "../ui/empty-state.tsx";
import { SelectField, TextField } from "../ui/field.tsx";
import { Page } from "../ui/page.tsx";
import { notify } from "../ui/toast.tsx";
import { LoadError } from "../components/access/forbidden-note.tsx";
import { loadAccounts, loadRoles } from "../components/access/options.ts";
import { UserCreate } from "../components/access/user-create.tsx";
import { UserEdit } from "../components/access/user-edit.tsx";
import type { UserRow } from "../components/access/user-types.ts";
import { useLoad, useSettled, when } from "../components/access/use-load.ts";

const LIMIT = 25;

export default function UsersPage(_props: PageProps) {
  const [search, setSearch] = useState("");
  const [account, setAccount] = useState("");
  const [role, setRole] = useState("");
  const [active, setActive] = useState("");
  const [skip, setSkip] = useState(0);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<UserRow | null>(null);
  const options = useLoad(async (signal) => ({ accounts: await loadAccounts(signal), roles: await loadRoles(signal) }), []);
  const term = useSettled(search);
  const users = useLoad(
    (signal) => api<{ total: number; items: UserRow[] }>("GET", `/api/v1/users${qs({ skip, limit: LIMIT, search: term, account_id: account, role_id: role, is_active: active })}`, { signal }),
    [skip, term, account, role, active],
  );
  const filter = (set: (v: string) => void) => (v: string) => {
    set(v);
    setSkip(0);
  };
  const total = users.data?.total ?? 0;
  const rows = users.data?.items ?? [];
  const accounts = options.data?.accounts ?? [];
  const roles = options.data?.roles ?? [];
  const filtered = Boolean(search || account || role || active);
  return (
    <Page
      title="Users"
      actions={
        <button type="button" class="primary" onClick={() => setCreating(true)} disabled={!options.data}>
          New user
        </button>
      }
    >
      <form class="filters" role="search" aria-label="Filter users" onSubmit={(e) => e.preventDefault()}>
        <TextField label="Search e-mail" type="search" value={search} onValue={filter(setSearch)} />
        <SelectField label="Account" value={account} onValue={filter(setAccount)} options={[{ value: "", label: "All accounts" }, ...accounts.map((a) => ({ value: a.id, label: a.name }))]} />
        <SelectField label="Role" value={role} onValue={filter(setRole)} options={[{ value: "", label: "All roles" }, ...roles.map((r) => ({ value: String(r.id), label: r.name }))]} />
        <SelectField
          label="Status"
          value={active}
          onValue={filter(setActive)}
          options={[
            { value: "", label: "Active and inactive" },
            { value: "true", label: "Active" },
            { value: "false", label: "Inactive" },
          ]}
        />
      </form>
      <LoadError error={users.error ?? options.error} what="users" />
      {users.data && (
        <DataTable<UserRow>
          caption="Users"
          rows={rows}
          rowKey={(u) => u.id}
          empty={
            filtered ? (
              <EmptyState title="No user matches these filters">Change the search or the filters above.</EmptyState>
            ) : (
              <EmptyState title="No users yet">Create a user, or invite people from an account's page.</EmptyState>
            )
          }
          columns={[
            {
              key: "email",
              label: "E-mail",
              render: (u) => (
                <button type="button" class="link" onClick={() => setEditing(u)}>
                  {u.email}
                </button>
              ),
            },
            { key: "name", label: "Name", render: (u) => u.name ?? "" },
            { key: "account_name", label: "Account" },
            { key: "role_name", label: "Role", render: (u) => (u.superadmin ? `${u.role_name} (superadmin)` : u.role_name) },
            { key: "is_active", label: "Status", render: (u) => <span class={`badge badge-${u.is_active ? "active" : "inactive"}`}>{u.is_active ? "Active" : "Inactive"}</span> },
            { key: "email_verified", label: "Verified", render: (u) => (u.email_verified ? "yes" : "no") },
            { key: "last_login", label: "Last sign-in", render: (u) => when(u.last_login) },
          ]}
        />
      )}
      {total > 0 && (
        <nav class="pager" aria-label="Pages of users">
          <button type="button" disabled={skip === 0} onClick={() => setSkip(Math.max(0, skip - LIMIT))}>
            Previous
          </button>
          <span>
            {skip + 1}–{Math.min(skip + LIMIT, total)} of {total}
          </span>
          <button type="button" disabled={skip + LIMIT >= total} onClick={() => setSkip(skip + LIMIT)}>
            Next
          </button>
        </nav>
      )}
      <Dialog title="New user" open={creating} onClose={() => setCreating(false)}>
        <UserCreate
          accounts={accounts}
          roles={roles}
          onCancel={() => setCreating(false)}
          onCreated={(u) => {
            notify(`User ${u.email} created`);
            setCreating(false);
            users.reload();
          }}
        />
      </Dialog>
      <Dialog title={editing ? `User ${editing.email}` : "User"} open={editing !== null} onClose={() => setEditing(null)}>
        {editing && (
          <UserEdit
            key={editing.id}
            user={editing}
            roles={roles}
            onChanged={(u) => {
              if (u) setEditing(u);
              users.reload();
            }}
          />
        )}
      </Dialog>
    </Page>
  );
}
