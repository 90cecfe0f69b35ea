// The admin's only way to the server: Cairn's public REST API (FastCMS dialect under /api/v1) and
// GraphQL (/graphql), with the signed-in user's access token. Nothing here is private to the admin.
import { session } from "./session.ts";

/** An API answer that was not 2xx, in words, with what the server said about the cause. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    /** the server's `details` (REST) or `extensions` (GraphQL) */
    readonly details: unknown = null,
  ) {
    super(message);
  }

  /** Messages per input, keyed by field path without a `body.` / `data.` prefix (`schema[2].name`, `title`). */
  get fields(): Record<string, string> {
    return fieldErrors(this.details);
  }

  /** Where a filter or rule expression failed, when the server said (0-based character offset). */
  get position(): number | null {
    const d = this.details as { position?: unknown } | null;
    return d && typeof d.position === "number" ? d.position : null;
  }
}

function fieldErrors(details: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const clean = (k: string) => k.replace(/^(body|query|querystring|params|data)\./, "").replace(/^data\./, "");
  if (Array.isArray(details)) {
    for (const d of details) if (d && typeof d === "object" && "field" in d) out[clean(String(d.field))] = String((d as { message?: unknown }).message ?? "invalid");
  } else if (details && typeof details === "object") {
    for (const [k, v] of Object.entries(details)) {
      if (typeof v === "string") out[clean(k)] = v;
      else if (k === "fields" || k === "errors") Object.assign(out, fieldErrors(v));
    }
  }
  return out;
}

async function errorFrom(res: Response): Promise<ApiError> {
  let body: any = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: the status says it
  }
  const message = (body && (body.message || body.detail || body.error)) || `${res.status} ${res.statusText || "request failed"}`;
  return new ApiError(String(message), res.status, String(body?.code ?? res.status), body?.details ?? null);
}

export interface RequestOptions {
  body?: unknown;
  /** a multipart body (uploads, imports); sent as is */
  form?: FormData;
  signal?: AbortSignal;
  /** `blob` for downloads */
  as?: "json" | "blob" | "text";
  headers?: Record<string, string>;
}

async function send(method: string, path: string, opts: RequestOptions, retried: boolean): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
  const token = session.value.accessToken;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (opts.form) body = opts.form;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] = "application/json";
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError("The server cannot be reached. Check that Cairn is running.", 0, "NETWORK");
  }
  if (res.status === 401 && token && !retried && (await session.refresh())) return send(method, path, opts, true);
  return res;
}

/** Calls a REST route (`/api/v1/...`); resolves with the parsed JSON, rejects with ApiError. */
export async function api<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts, false);
  if (!res.ok) throw await errorFrom(res);
  if (opts.as === "blob") return (await res.blob()) as T;
  if (opts.as === "text") return (await res.text()) as T;
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Runs a GraphQL operation; rejects with the first error in words. */
export async function gql<T = any>(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  const res = await send("POST", "/graphql", { body: { query, variables }, signal }, false);
  let body: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  try {
    body = await res.json();
  } catch {
    throw await errorFrom(res);
  }
  const first = body.errors?.[0];
  if (first) {
    const ext = first.extensions ?? {};
    const status = Number((ext.http as { status?: number } | undefined)?.status ?? res.status ?? 400);
    throw new ApiError(first.message, status, String(ext.code ?? "GRAPHQL"), ext.details ?? ext);
  }
  if (!res.ok) throw await errorFrom(res);
  return body.data as T;
}

/** Query string from an object, leaving out empty values. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
