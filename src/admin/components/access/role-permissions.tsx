// A role's permissions by collection (GET /api/v1/roles/{id}/permissions), each cell the rule and
// fields of one operation; choosing a cell puts it in the form below to change it.
import { useState } from "preact/hooks";
import { api } from "../../lib/api.ts";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";
import { OPERATIONS, PermissionForm, type PermissionDraft } from "./permission-form.tsx";
import { useLoad } from "./use-load.ts";

type Op = { rule: string; fields: "*" | string[] } | null;
interface CollectionPermissions {
  collection: string;
  permission_id: number | null;
  create: Op;
  read: Op;
  update: Op;
  delete: Op;
}

const fieldText = (f: "*" | string[]) => (f === "*" ? "*" : f.join(", "));

export function RolePermissions({ role }: { role: { id: number; name: string } }) {
  const perms = useLoad((signal) => api<{ permissions: CollectionPermissions[] }>("GET", `/api/v1/roles/${role.id}/permissions`, { signal }), [role.id]);
  const [draft, setDraft] = useState<PermissionDraft>({ collection: "*", operation: "read", rule: "true", fields: "*" });
  const rows = perms.data?.permissions ?? [];
  const builtInAdmin = role.name === "admin";
  return (
    <section aria-labelledby="permissions-title">
      <h2 id="permissions-title">Permissions of {role.name}</h2>
      <ErrorNote error={perms.error} />
      {builtInAdmin && <p class="hint">The admin role may do everything in its account; its permissions cannot be narrowed.</p>}
      {perms.data &&
        (rows.length === 0 ? (
          <EmptyState title="This role has no permissions">Its users can do nothing with records until you grant something below (collection rules set to an expression still apply).</EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="data-table permissions">
              <caption class="visually-hidden">Permissions of {role.name} by collection and operation</caption>
              <thead>
                <tr>
                  <th scope="col">Collection</th>
                  {OPERATIONS.map((op) => (
                    <th scope="col" key={op}>
                      {op}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((p) => (
                  <tr key={p.collection}>
                    <th scope="row">
                      <code>{p.collection}</code>
                    </th>
                    {OPERATIONS.map((op) => {
                      const e = p[op];
                      return (
                        <td key={op}>
                          {e ? (
                            <button
                              type="button"
                              class="link perm-cell"
                              disabled={builtInAdmin}
                              onClick={() => setDraft({ collection: p.collection, operation: op, rule: e.rule, fields: fieldText(e.fields) })}
                            >
                              <span class="visually-hidden">
                                Change {op} on {p.collection}:{" "}
                              </span>
                              <code>{e.rule}</code>
                              <span class="perm-fields">fields: {fieldText(e.fields)}</span>
                            </button>
                          ) : (
                            <span class="muted">—</span>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {!builtInAdmin && <PermissionForm roleId={role.id} draft={draft} onSaved={perms.reload} />}
    </section>
  );
}
