// The grid: a checkbox per row (and one for the page), the id, one column per field, created and
// updated, and the row actions. Headers of sortable columns are buttons; the column the page is
// sorted by says so with aria-sort. Rows that just arrived or changed live are highlighted.
import type { Collection, CollectionField } from "../../lib/collections.ts";
import { href } from "../../lib/router.ts";
import { Cell, kindOf, When, type RecordRow } from "./cell.tsx";

/** List types (tags, files, multiple select/reference) and JSON cannot be sorted (the server says 400). */
export function sortable(f: CollectionField): boolean {
  const k = kindOf(f);
  if (["json", "tags", "file", "geopoint"].includes(k)) return false;
  if (k === "select" && (f.select?.max_select ?? 1) > 1) return false;
  if (k === "reference" && f.relation?.multiple) return false;
  return true;
}

export function visibleFields(c: Collection): CollectionField[] {
  return c.schema.filter((f) => !f.hidden);
}

interface Props {
  collection: Collection;
  rows: RecordRow[];
  /** the sort in effect (`-created` when none was chosen) */
  sort: string;
  onSort: (sort: string) => void;
  selected: ReadonlySet<string>;
  onSelect: (ids: string[], on: boolean) => void;
  onDelete: (row: RecordRow) => void;
  marked: ReadonlySet<string>;
  busy: boolean;
}

function SortHeader({ name, label, sort, onSort, numeric }: { name: string; label: string; sort: string; onSort: (s: string) => void; numeric?: boolean }) {
  const first = sort.split(",")[0] ?? "";
  const dir = first === name ? "ascending" : first === `-${name}` ? "descending" : "none";
  const next = dir === "ascending" ? `-${name}` : name;
  return (
    <th scope="col" aria-sort={dir} class={numeric ? "num" : undefined}>
      <button type="button" class="sort-button" onClick={() => onSort(next)} title={`Sort by ${label}, ${dir === "ascending" ? "descending" : "ascending"}`}>
        {label}
        <span class="sort-mark" aria-hidden="true">
          {dir === "ascending" ? "▲" : dir === "descending" ? "▼" : "↕"}
        </span>
      </button>
    </th>
  );
}

export function RecordsTable({ collection, rows, sort, onSort, selected, onSelect, onDelete, marked, busy }: Props) {
  const fields = visibleFields(collection);
  const all = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const some = rows.some((r) => selected.has(r.id));
  const base = `/collections/${encodeURIComponent(collection.name)}/records/`;
  return (
    <div class="table-wrap records-grid" aria-busy={busy}>
      <table class="data-table">
        <caption class="visually-hidden">Records of {collection.name}</caption>
        <thead>
          <tr>
            <th scope="col" class="select-col">
              <input
                type="checkbox"
                aria-label="Select all records on this page"
                checked={all}
                ref={(el) => {
                  if (el) el.indeterminate = some && !all;
                }}
                onChange={(e) =>
                  onSelect(
                    rows.map((r) => r.id),
                    (e.currentTarget as HTMLInputElement).checked,
                  )
                }
              />
            </th>
            <SortHeader name="id" label="id" sort={sort} onSort={onSort} />
            {fields.map((f) =>
              sortable(f) ? (
                <SortHeader key={f.name} name={f.name} label={f.label || f.name} sort={sort} onSort={onSort} numeric={kindOf(f) === "number"} />
              ) : (
                <th scope="col" key={f.name}>
                  {f.label || f.name}
                </th>
              ),
            )}
            <SortHeader name="created" label="created" sort={sort} onSort={onSort} />
            <SortHeader name="updated" label="updated" sort={sort} onSort={onSort} />
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} class={marked.has(r.id) ? "row-marked" : undefined} data-id={r.id}>
              <td class="select-col">
                <input type="checkbox" aria-label={`Select record ${r.id}`} checked={selected.has(r.id)} onChange={(e) => onSelect([r.id], (e.currentTarget as HTMLInputElement).checked)} />
              </td>
              <td class="id-col">
                <code title={r.id}>…{r.id.slice(-8)}</code>
              </td>
              {fields.map((f) => (
                <td key={f.name} class={kindOf(f) === "number" ? "num" : undefined} data-field={f.name}>
                  <Cell field={f} row={r} />
                </td>
              ))}
              <td class="when">
                <When iso={r.created} />
              </td>
              <td class="when">
                <When iso={r.updated} />
              </td>
              <td>
                <div class="row-actions">
                  <a class="button" href={href(base + encodeURIComponent(r.id))} aria-label={`Open record ${r.id}`}>
                    Open
                  </a>
                  <button type="button" class="danger" aria-label={`Delete record ${r.id}`} onClick={() => onDelete(r)}>
                    Delete
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
