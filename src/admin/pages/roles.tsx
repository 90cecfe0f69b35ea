// Roles and their per-collection permissions (superadmins; GET /api/v1/roles): create, describe
// and delete roles; grant a role create/read/update/delete on a collection with a rule and fields.
import { useState } from "preact/hooks";
import { api } from "../lib/api.ts";
import { href, navigate } from "../lib/router.ts";
import type { PageProps } from "../routes.ts";
import { DataTable } from "../ui/data-table.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { ErrorNote } from "../ui/error-note.tsx";
import { Page } from "../ui/page.tsx";
import { notify } from "../ui/toast.tsx";
import { LoadError } from "../components/access/forbidden-note.tsx";
import type { RoleRow } from "../components/access/options.ts";
import { RoleForm } from "../components/access/role-form.tsx";
import { RolePermissions } from "../components/access/role-permissions.tsx";
import { useLoad } from "../components/access/use-load.ts";

export default function RolesPage({ query }: PageProps) {
  const roles = useLoad((signal) => api<{ items: RoleRow[] }>("GET", "/api/v1/roles", { signal }), []);
  const [dialog, setDialog] = useState<"new" | RoleRow | null>(null);
  const [error, setError] = useState<unknown>(null);
  const selected = query.get("role");
  const current = roles.data?.items.find((r) => String(r.id) === selected || r.name === selected) ?? null;

  async function remove(r: RoleRow) {
    if (!confirm(`Delete the role "${r.name}" and its permissions?`)) return;
    setError(null);
    try {
      await api("DELETE", `/api/v1/roles/${r.id}`);
      notify(`Role "${r.name}" deleted`);
      navigate("/roles");
      roles.reload();
    } catch (err) {
      setError(err);
    }
  }
  const builtIn = current?.name === "admin" || current?.name === "user";
  return (
    <Page
      title={current ? `Role ${current.name}` : "Roles and permissions"}
      breadcrumb={current ? <a href={href("/roles")}>Roles and permissions</a> : undefined}
      actions={
        current ? (
          <>
            <button type="button" onClick={() => setDialog(current)}>
              Edit role
            </button>
            {!builtIn && (
              <button type="button" class="danger" onClick={() => remove(current)}>
                Delete role
              </button>
            )}
          </>
        ) : (
          <button type="button" class="primary" onClick={() => setDialog("new")}>
            New role
          </button>
        )
      }
    >
      <ErrorNote error={error} />
      <LoadError error={roles.error} what="roles and permissions" />
      {current ? (
        <>
          {current.description && <p class="page-intro">{current.description}</p>}
          <RolePermissions key={current.id} role={current} />
        </>
      ) : (
        <>
          <p class="page-intro">
            When a collection's rule for an operation is empty (null), the caller's role decides: a role may do only what its permissions grant. Users get their role from their account; a change
            applies at their next sign-in.
          </p>
          {selected && roles.data && <ErrorNote error={new Error(`There is no role "${selected}".`)} />}
          {roles.data && (
            <DataTable<RoleRow>
              caption="Roles"
              rows={roles.data.items}
              rowKey={(r) => String(r.id)}
              columns={[
                { key: "name", label: "Role", render: (r) => <a href={href("/roles", { role: String(r.id) })}>{r.name}</a> },
                { key: "description", label: "Description", render: (r) => r.description ?? "" },
                { key: "collections_count", label: "Collections with permissions", numeric: true },
              ]}
            />
          )}
        </>
      )}
      <Dialog title={dialog === "new" ? "New role" : `Edit role ${dialog?.name ?? ""}`} open={dialog !== null} onClose={() => setDialog(null)}>
        {dialog !== null && (
          <RoleForm
            role={dialog === "new" ? undefined : dialog}
            onCancel={() => setDialog(null)}
            onSaved={(r) => {
              setDialog(null);
              notify(`Role "${r.name}" saved`);
              roles.reload();
              navigate("/roles", { role: String(r.id) });
            }}
          />
        )}
      </Dialog>
    </Page>
  );
}
