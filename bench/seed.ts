/**
 * Seeding Cairn through its public REST API: log in as the superadmin, create the benchmark
 * collection, create every record (a few requests in flight), and return the record ids.
 */
import { COLLECTION, collectionBody, type PostData } from "./data.ts";

async function call(base: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: res.status, json };
}

/** Logs in and returns the access token. */
export async function login(base: string, email: string, password: string): Promise<string> {
  const r = await call(base, "POST", "/api/v1/auth/login", { email, password });
  if (r.status !== 200 || typeof r.json?.access_token !== "string") throw new Error(`login failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.access_token as string;
}

/**
 * Lifts the admin tier's request limits (settings `rate_limit_admin_per_minute|hour`) so a
 * load test is not answered 429 while the limiter itself stays on the hot path. Returns what
 * it did, for the log; a server without the settings routes is left as it is.
 */
export async function raiseRateLimits(base: string, token: string): Promise<string> {
  const results: number[] = [];
  for (const key of ["rate_limit_admin_per_minute", "rate_limit_admin_per_hour"]) {
    const r = await call(base, "POST", "/api/v1/settings", { key, value: 1_000_000_000, category: "security", description: "raised by npm run bench" }, token);
    if (r.status === 404) return "no settings routes: rate limits untouched";
    if (r.status !== 200 && r.status !== 201) throw new Error(`raising the rate limit (${key}) failed: ${r.status} ${JSON.stringify(r.json)}`);
    results.push(r.status);
  }
  return "admin rate limits raised to 1e9/min, 1e9/h (limiter still on)";
}

/** Creates the benchmark collection and its records; returns the ids in creation order. */
export async function seedCairn(base: string, token: string, posts: PostData[], concurrency = 16, progress?: (done: number) => void): Promise<string[]> {
  const c = await call(base, "POST", "/api/v1/collections", collectionBody, token);
  if (c.status !== 201 && c.status !== 200) throw new Error(`creating collection '${COLLECTION}' failed: ${c.status} ${JSON.stringify(c.json)}`);
  const ids: string[] = new Array(posts.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < posts.length) {
      const i = next++;
      const r = await call(base, "POST", `/api/v1/collections/${COLLECTION}/records`, { data: posts[i] }, token);
      if (r.status !== 201 || typeof r.json?.id !== "string") throw new Error(`seeding record ${i} failed: ${r.status} ${JSON.stringify(r.json)}`);
      ids[i] = r.json.id as string;
      if (++done % 2000 === 0) progress?.(done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ids;
}
