// `#/collections/:name` — the records grid: filter (with suggestions and the parser's error at
// its position), search, sortable columns, cursor paging, live changes, open / delete / bulk delete.
// Filter, search, sort, page size and cursor live in the URL, so a reload or a bookmark keeps them.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError } from "../lib/api.ts";
import { useCollection, type Collection } from "../lib/collections.ts";
import { href, navigate } from "../lib/router.ts";
import type { PageProps } from "../routes.ts";
import { EmptyState } from "../ui/empty-state.tsx";
import { ErrorNote } from "../ui/error-note.tsx";
import { Page } from "../ui/page.tsx";
import { notify } from "../ui/toast.tsx";
import { kindOf } from "../components/records/cell.tsx";
import { FilterBox } from "../components/records/filter-box.tsx";
import { LiveBadge } from "../components/records/live-badge.tsx";
import { Pager } from "../components/records/pager.tsx";
import { RecordsTable, visibleFields } from "../components/records/records-table.tsx";
import { SearchBox } from "../components/records/search-box.tsx";
import { useLive, type Change } from "../components/records/use-live.ts";
import { useRecordList } from "../components/records/use-record-list.ts";

export default function Records({ params, query }: PageProps) {
  const name = params.name!;
  const shared = useCollection(name);
  const [fetched, setFetched] = useState<Collection | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    if (shared) return;
    api<Collection>("GET", `/api/v1/collections/${encodeURIComponent(name)}`).then(setFetched, setError);
  }, [name]);
  const collection = shared ?? fetched;
  if (collection) return <Grid collection={collection} query={query} />;
  return (
    <Page title={name} breadcrumb={<a href={href("/collections")}>Collections</a>}>
      {error ? (
        <ErrorNote error={error instanceof ApiError && error.status === 403 ? new Error(`You may not see the collection '${name}' (403: ${error.message}).`) : error} />
      ) : (
        <p class="loading">Loading…</p>
      )}
    </Page>
  );
}

function Grid({ collection, query }: { collection: Collection; query: URLSearchParams }) {
  const name = collection.name;
  const q = (k: string) => query.get(k) ?? "";
  const perPage = Math.min(100, Math.max(1, Number(q("per_page")) || 50));
  const p = {
    filter: q("filter"),
    sort: q("sort"),
    search: q("search"),
    cursor: q("cursor"),
    before: q("before"),
    perPage,
    expand: visibleFields(collection)
      .filter((f) => kindOf(f) === "reference")
      .map((f) => f.name),
  };
  const list = useRecordList(name, p);
  const { rows, total, next, prev, loading, ready, marked } = list.state;
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [actionError, setActionError] = useState<unknown>(null);
  const [said, setSaid] = useState("");

  const go = (patch: Record<string, string | null>, replace = false) => {
    const next: Record<string, string | null> = { filter: p.filter, search: p.search, sort: p.sort, per_page: q("per_page"), cursor: p.cursor, before: p.before, ...patch };
    navigate(`/collections/${encodeURIComponent(name)}`, next, replace);
  };
  const fresh = { cursor: null, before: null };

  // live: a delete leaves at once, then the page reloads (at most every 400 ms) to show the rest
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const later = () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void list.refresh();
    }, 400);
  };
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const live = useLive(
    name,
    (c: Change) => {
      if (c.action === "DELETE") {
        list.remove([c.id]);
        setSelected((s) => new Set([...s].filter((id) => id !== c.id)));
      }
      setSaid(`A record was ${c.action === "CREATE" ? "created" : c.action === "UPDATE" ? "updated" : "deleted"} (${c.id}).`);
      later();
    },
    later,
  );

  const deleteOne = async (id: string) => {
    if (!confirm(`Delete record ${id} of ${name}? This cannot be undone.`)) return;
    setActionError(null);
    try {
      await api("DELETE", `/api/v1/collections/${encodeURIComponent(name)}/records/${encodeURIComponent(id)}`);
      list.remove([id]);
      setSelected((s) => new Set([...s].filter((x) => x !== id)));
      notify("Record deleted");
    } catch (err) {
      setActionError(err);
    }
  };
  const deleteSelected = async () => {
    const ids = [...selected];
    if (!confirm(`Delete ${ids.length} selected record${ids.length === 1 ? "" : "s"} of ${name}? This cannot be undone.`)) return;
    setActionError(null);
    try {
      const r = await api<{ success: number; failed: number; errors: { record_id: string; error: string }[] | null; record_ids: string[] }>(
        "POST",
        `/api/v1/collections/${encodeURIComponent(name)}/records/bulk-delete`,
        { body: { record_ids: ids } },
      );
      list.remove(r.record_ids);
      setSelected(new Set(r.errors?.map((e) => e.record_id) ?? []));
      notify(`${r.success} record${r.success === 1 ? "" : "s"} deleted`);
      if (r.failed > 0) setActionError(new Error(`${r.failed} could not be deleted: ${(r.errors ?? []).map((e) => `${e.record_id}: ${e.error}`).join("; ")}`));
    } catch (err) {
      setActionError(err);
    }
  };

  const err = list.state.error;
  const filterError = err && (err.fields.filter !== undefined || /filter/i.test(err.message)) ? err : null;
  const searchError = err && !filterError && err.fields.search !== undefined ? err : null;
  const otherError = err && !filterError && !searchError ? err : null;
  const narrowed = Boolean(p.filter || p.search);
  const base = `/collections/${encodeURIComponent(name)}`;

  return (
    <Page
      title={name}
      breadcrumb={<a href={href("/collections")}>Collections</a>}
      actions={
        <>
          <LiveBadge status={live} said={said} />
          <a class="button primary" href={href(`${base}/records/new`)}>
            New record
          </a>
          <a class="button" href={href("/transfer", { collection: name })}>
            Import or export
          </a>
          <a class="button" href={href(`${base}/edit`)}>
            Edit collection
          </a>
        </>
      }
    >
      <div class="records-tools">
        <FilterBox schema={collection.schema} value={p.filter} error={filterError} onApply={(filter) => go({ filter, ...fresh })} />
        <SearchBox value={p.search} error={searchError} onSearch={(search, replace) => go({ search, ...fresh }, replace)} />
      </div>
      <div class="records-summary">
        <p aria-live="polite">
          {total === null
            ? loading
              ? "Counting…"
              : ""
            : narrowed
              ? `${total.toLocaleString()} matching record${total === 1 ? "" : "s"}`
              : `${total.toLocaleString()} record${total === 1 ? "" : "s"}`}
          {ready && rows.length > 0 && ` · ${rows.length} on this page`}
        </p>
        {selected.size > 0 && (
          <div class="bulk-bar" role="group" aria-label="Selected records">
            <span>{selected.size} selected</span>
            <button type="button" class="danger" onClick={deleteSelected}>
              Delete selected ({selected.size})
            </button>
            <button type="button" onClick={() => setSelected(new Set())}>
              Clear selection
            </button>
          </div>
        )}
      </div>
      <ErrorNote error={actionError} />
      <ErrorNote error={otherError} />
      {!ready && rows.length === 0 ? (
        <p class="loading">Loading records…</p>
      ) : rows.length === 0 && !err ? (
        narrowed ? (
          <EmptyState title="No records match" action={<button onClick={() => go({ filter: null, search: null, ...fresh })}>Clear filter and search</button>}>
            Nothing in {name} matches {p.filter && p.search ? "this filter and search" : p.filter ? "this filter" : "this search"}. Change it or clear it.
          </EmptyState>
        ) : p.cursor || p.before ? (
          <EmptyState title="No more records" action={<button onClick={() => go(fresh)}>Back to the first page</button>}>
            This page is empty now.
          </EmptyState>
        ) : (
          <EmptyState
            title="No records yet"
            action={
              <p class="empty-actions">
                <a class="button primary" href={href(`${base}/records/new`)}>
                  Create a record
                </a>
                <a class="button" href={href("/transfer", { collection: name })}>
                  Import records
                </a>
              </p>
            }
          >
            {name} is empty. Create the first record, or import a CSV, JSON or NDJSON file.
          </EmptyState>
        )
      ) : rows.length > 0 ? (
        <RecordsTable
          collection={collection}
          rows={rows}
          sort={p.sort || "-created"}
          onSort={(sort) => go({ sort, ...fresh })}
          selected={selected}
          onSelect={(ids, on) =>
            setSelected((s) => {
              const n = new Set(s);
              for (const id of ids) {
                if (on) n.add(id);
                else n.delete(id);
              }
              return n;
            })
          }
          onDelete={(r) => void deleteOne(r.id)}
          marked={marked}
          busy={loading}
        />
      ) : null}
      <Pager
        perPage={perPage}
        hasPrev={Boolean(prev)}
        hasNext={Boolean(next)}
        atStart={!p.cursor && !p.before}
        onFirst={() => go(fresh)}
        onPrev={() => prev && go({ before: prev, cursor: null })}
        onNext={() => next && go({ cursor: next, before: null })}
        onPerPage={(n) => go({ per_page: String(n), ...fresh })}
      />
    </Page>
  );
}
