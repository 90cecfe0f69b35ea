// One page of a collection's records from GET /api/v1/collections/{name}/records, paged with
// cursors (never all rows). The total is counted once per filter and search: moving between
// pages or changing the sort sends `skip_total=true` and keeps the count already shown.
// `refresh()` reloads the page in place (live changes) and marks the rows that are new or changed.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, qs } from "../../lib/api.ts";
import type { RecordRow } from "./cell.tsx";

export interface ListParams {
  filter: string;
  sort: string;
  search: string;
  cursor: string;
  before: string;
  perPage: number;
  /** reference fields to inline (labels) */
  expand: string[];
}

interface ListAnswer {
  items: RecordRow[];
  total: number;
  next_cursor: string | null;
  prev_cursor: string | null;
}

export interface ListState {
  rows: RecordRow[];
  /** null while unknown */
  total: number | null;
  next: string | null;
  prev: string | null;
  loading: boolean;
  /** the page has been answered at least once for these parameters */
  ready: boolean;
  error: ApiError | null;
  /** ids of rows that just arrived or changed (live), for a moment */
  marked: ReadonlySet<string>;
}

const none: ReadonlySet<string> = new Set();

export function useRecordList(collection: string, p: ListParams) {
  const [state, setState] = useState<ListState>({ rows: [], total: null, next: null, prev: null, loading: true, ready: false, error: null, marked: none });
  const current = useRef(state);
  current.current = state;
  const counted = useRef<{ scope: string; total: number } | null>(null);
  const inflight = useRef<AbortController | null>(null);
  const scope = JSON.stringify([collection, p.filter, p.search]);
  const key = JSON.stringify([scope, p.sort, p.cursor, p.before, p.perPage, p.expand]);

  const load = async (mode: "navigate" | "refresh") => {
    inflight.current?.abort();
    const ctl = new AbortController();
    inflight.current = ctl;
    const known = mode === "navigate" && counted.current?.scope === scope ? counted.current.total : null;
    setState((s) => ({ ...s, loading: true, ...(mode === "navigate" ? { ready: false } : {}) }));
    const query = qs({
      per_page: p.perPage,
      sort: p.sort || "-created",
      filter: p.filter,
      search: p.search,
      cursor: p.cursor,
      before: p.before,
      expand: p.expand.join(","),
      skip_total: known !== null ? "true" : undefined,
    });
    try {
      const a = await api<ListAnswer>("GET", `/api/v1/collections/${encodeURIComponent(collection)}/records${query}`, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      const total = known ?? a.total;
      if (known === null && a.total >= 0) counted.current = { scope, total: a.total };
      let marked = none;
      if (mode === "refresh") {
        const before = new Map(current.current.rows.map((r) => [r.id, r.updated]));
        marked = new Set(a.items.filter((r) => before.get(r.id) !== r.updated).map((r) => r.id));
      }
      setState({ rows: a.items, total, next: a.next_cursor, prev: a.prev_cursor, loading: false, ready: true, error: null, marked });
    } catch (err) {
      if ((err as Error).name === "AbortError" || ctl.signal.aborted) return;
      setState((s) => ({
        ...s,
        loading: false,
        ready: true,
        error: err instanceof ApiError ? err : new ApiError(String((err as Error).message), 0, "CLIENT"),
        ...(mode === "navigate" ? { rows: [], total: null, next: null, prev: null } : {}),
      }));
    }
  };

  useEffect(() => {
    void load("navigate");
  }, [key]);
  useEffect(() => () => inflight.current?.abort(), []);

  return {
    state,
    /** reloads this page (counting again): someone changed the collection */
    refresh: () => load("refresh"),
    /** drops rows deleted here or by someone else until the next load */
    remove(ids: string[]) {
      const gone = new Set(ids);
      setState((s) => {
        const rows = s.rows.filter((r) => !gone.has(r.id));
        const removed = s.rows.length - rows.length;
        const total = s.total === null ? null : Math.max(0, s.total - removed);
        if (counted.current && total !== null) counted.current = { ...counted.current, total };
        return { ...s, rows, total };
      });
    },
  };
}
