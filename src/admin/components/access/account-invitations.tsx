// An account's invitations (GET /api/v1/invitations?account_id=…): invite an address with a role,
// resend the mail (a new token) or revoke a pending one.
import { useState } from "preact/hooks";
import { api, ApiError, qs } from "../../lib/api.ts";
import { DataTable } from "../../ui/data-table.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";
import { SelectField, TextField } from "../../ui/field.tsx";
import { notify } from "../../ui/toast.tsx";
import type { RoleRow } from "./options.ts";
import { useLoad, when } from "./use-load.ts";

interface Invitation {
  id: string;
  email: string;
  role_name: string;
  status: string;
  expires_at: string;
  sent_count: number;
  created_at: string;
}

export function AccountInvitations({ accountId, roles }: { accountId: string; roles: RoleRow[] }) {
  const list = useLoad((signal) => api<{ items: Invitation[]; total: number }>("GET", `/api/v1/invitations${qs({ account_id: accountId, page: 1, page_size: 100 })}`, { signal }), [accountId]);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("user");
  const [error, setError] = useState<unknown>(null);
  const [rowError, setRowError] = useState<unknown>(null);
  async function invite(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      await api("POST", "/api/v1/invitations", { body: { email, role_id: role, account_id: accountId } });
      notify(`Invitation sent to ${email}`);
      setEmail("");
      list.reload();
    } catch (err) {
      setError(err);
    }
  }
  async function act(inv: Invitation, what: "resend" | "revoke") {
    if (what === "revoke" && !confirm(`Revoke the invitation of ${inv.email}? Its link stops working.`)) return;
    setRowError(null);
    try {
      if (what === "resend") await api("POST", `/api/v1/invitations/${inv.id}/resend`);
      else await api("DELETE", `/api/v1/invitations/${inv.id}`);
      notify(what === "resend" ? `Invitation mailed again to ${inv.email}` : `Invitation of ${inv.email} revoked`);
      list.reload();
    } catch (err) {
      setRowError(err);
    }
  }
  const f = error instanceof ApiError ? error.fields : {};
  return (
    <section aria-labelledby="account-invitations">
      <h2 id="account-invitations">Invitations</h2>
      <form class="inline-form" onSubmit={invite} aria-label="Invite someone">
        <TextField label="E-mail to invite" type="email" required value={email} onValue={setEmail} error={f.email} />
        <SelectField label="Role" value={role} onValue={setRole} error={f.role_id} options={roles.map((r) => r.name)} />
        <button type="submit" class="primary">
          Invite
        </button>
      </form>
      <ErrorNote error={error} shown={["email", "role_id"]} />
      <ErrorNote error={rowError ?? list.error} />
      {list.data && (
        <DataTable<Invitation>
          caption="Invitations of the account"
          rows={list.data.items}
          rowKey={(i) => i.id}
          empty={<EmptyState title="No invitations">Invite an e-mail address above: they get a mail with a link to join this account.</EmptyState>}
          columns={[
            { key: "email", label: "E-mail" },
            { key: "role_name", label: "Role" },
            { key: "status", label: "Status" },
            { key: "sent_count", label: "Mails sent", numeric: true },
            { key: "expires_at", label: "Expires", render: (i) => when(i.expires_at) },
            {
              key: "actions",
              label: "Actions",
              render: (i) =>
                i.status === "pending" || i.status === "expired" ? (
                  <div class="row-actions">
                    <button type="button" onClick={() => act(i, "resend")} aria-label={`Resend the invitation of ${i.email}`}>
                      Resend
                    </button>
                    {i.status === "pending" && (
                      <button type="button" class="danger" onClick={() => act(i, "revoke")} aria-label={`Revoke the invitation of ${i.email}`}>
                        Revoke
                      </button>
                    )}
                  </div>
                ) : null,
            },
          ]}
        />
      )}
    </section>
  );
}
