// An account's users (GET /api/v1/accounts/{id}/users), a page at a time.
import { useState } from "preact/hooks";
import { api } from "../../lib/api.ts";
import { DataTable } from "../../ui/data-table.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";
import type { UserRow } from "./user-types.ts";
import { useLoad, when } from "./use-load.ts";

const SIZE = 25;

export function AccountUsers({ accountId, version }: { accountId: string; version: number }) {
  const [page, setPage] = useState(1);
  const users = useLoad(
    (signal) => api<{ items: UserRow[]; total: number; total_pages: number }>("GET", `/api/v1/accounts/${encodeURIComponent(accountId)}/users?page=${page}&page_size=${SIZE}`, { signal }),
    [accountId, page, version],
  );
  return (
    <section aria-labelledby="account-users">
      <h2 id="account-users">Users</h2>
      <ErrorNote error={users.error} />
      {users.data && (
        <DataTable<UserRow>
          caption="Users of the account"
          rows={users.data.items}
          rowKey={(u) => u.id}
          empty={<EmptyState title="No users in this account yet">Invite someone below; they join when they accept.</EmptyState>}
          columns={[
            { key: "email", label: "E-mail" },
            { key: "role_name", label: "Role" },
            { key: "is_active", label: "Status", render: (u) => (u.is_active ? "Active" : "Inactive") },
            { key: "last_login", label: "Last sign-in", render: (u) => when(u.last_login) },
          ]}
        />
      )}
      {users.data && users.data.total_pages > 1 && (
        <nav class="pager" aria-label="Pages of the account's users">
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous
          </button>
          <span>
            Page {page} of {users.data.total_pages}
          </span>
          <button type="button" disabled={page >= users.data.total_pages} onClick={() => setPage(page + 1)}>
            Next
          </button>
        </nav>
      )}
    </section>
  );
}
