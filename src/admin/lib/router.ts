// Hash routing (`/_/#/collections/posts`): the server serves one page, the part after `#` picks
// the view. `useRoute()` follows it; `navigate()` changes it; links are plain `<a href="#/...">`.
import { useEffect, useState } from "preact/hooks";

export interface Route {
  /** the path after `#`, without the query (`/collections/posts`) */
  path: string;
  query: URLSearchParams;
}

function current(): Route {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path = "/", query = ""] = raw.split("?", 2);
  return { path: path.startsWith("/") ? path : `/${path}`, query: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const on = () => setRoute(current());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

/** Goes to a path (`/collections/posts`), optionally with query parameters; `replace` keeps history as it is. */
export function navigate(path: string, query?: Record<string, string | null | undefined>, replace = false): void {
  const url = href(path, query);
  if (replace) history.replaceState(null, "", url);
  else location.hash = url.slice(1);
  if (replace) dispatchEvent(new HashChangeEvent("hashchange"));
}

/** `#/path?query` for an `<a href>`. */
export function href(path: string, query?: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ""}`;
}

/** Matches `/collections/:name` against a path; the parameters (decoded) or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/").filter(Boolean);
  const s = path.split("/").filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(s[i]!);
    else if (part !== s[i]) return null;
  }
  return params;
}
