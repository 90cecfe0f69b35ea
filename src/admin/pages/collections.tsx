// `#/collections`: every collection the signed-in user may see, with its type, fields and rules at
// a glance, and links to its records, its definition and its API examples.
import { useEffect } from "preact/hooks";
import { reloadCollections, useCollections, type Collection } from "../lib/collections.ts";
import { href } from "../lib/router.ts";
import { session } from "../lib/session.ts";
import { useStore } from "../lib/store.ts";
import { DataTable } from "../ui/data-table.tsx";
import { EmptyState } from "../ui/empty-state.tsx";
import { ErrorNote } from "../ui/error-note.tsx";
import { Page } from "../ui/page.tsx";
import { forbiddenNote } from "../components/collections/forbidden.ts";

const RULES = [
  ["list_rule", "list"],
  ["view_rule", "view"],
  ["create_rule", "create"],
  ["update_rule", "update"],
  ["delete_rule", "delete"],
] as const;

/** One word per rule: who may do it. */
function ruleWord(rule: string | null): string {
  if (rule === null) return "superadmins/roles";
  if (rule.trim() === "" || rule.trim() === "true") return "everyone";
  return "rule";
}

function RulesSummary({ c }: { c: Collection }) {
  return (
    <ul class="rules-summary">
      {RULES.map(([k, label]) => {
        const rule = c[k];
        const word = ruleWord(rule);
        return (
          <li key={k} class={`rule-${word === "rule" ? "expr" : word === "everyone" ? "open" : "locked"}`} title={rule ?? "null: superadmins only, then role permissions"}>
            {label}: {word === "rule" ? <code>{rule}</code> : word}
          </li>
        );
      })}
    </ul>
  );
}

export default function Collections() {
  const { items, loading, error } = useCollections();
  const superadmin = useStore(session).user?.superadmin;
  useEffect(() => {
    void reloadCollections();
  }, []);
  const enc = (c: Collection) => encodeURIComponent(c.name);
  return (
    <Page
      title="Collections"
      actions={
        superadmin !== false && (
          <a class="button primary" href={href("/collections/new")}>
            New collection
          </a>
        )
      }
    >
      <ErrorNote error={forbiddenNote(error)} />
      {loading && items.length === 0 ? (
        <p class="loading">Loading…</p>
      ) : (
        <DataTable<Collection>
          caption="Collections"
          rows={items}
          rowKey={(c) => c.id}
          columns={[
            { key: "name", label: "Name", render: (c) => <a href={href(`/collections/${enc(c)}`)}>{c.name}</a> },
            { key: "type", label: "Type", render: (c) => c.type },
            { key: "fields", label: "Fields", numeric: true, render: (c) => <span title={c.schema.map((f) => `${f.name} (${f.type})`).join(", ")}>{c.schema.length}</span> },
            { key: "rules", label: "Rules", render: (c) => <RulesSummary c={c} /> },
            {
              key: "actions",
              label: "Actions",
              render: (c) => (
                <span class="row-links">
                  <a href={href(`/collections/${enc(c)}`)} aria-label={`Records of ${c.name}`}>
                    Records
                  </a>
                  <a href={href(`/collections/${enc(c)}/edit`)} aria-label={`Edit ${c.name}`}>
                    Edit
                  </a>
                  <a href={href(`/collections/${enc(c)}/api`)} aria-label={`API examples of ${c.name}`}>
                    API
                  </a>
                </span>
              ),
            },
          ]}
          empty={
            <EmptyState
              title="No collections yet"
              action={
                <a class="button primary" href={href("/collections/new")}>
                  Create a collection
                </a>
              }
            >
              A collection is a table with typed fields and access rules; Cairn serves it over REST and GraphQL as soon as it exists.
            </EmptyState>
          }
        />
      )}
    </Page>
  );
}
