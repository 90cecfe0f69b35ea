/**
 * Seeding Cairn through its public APIs: log in as the superadmin, create the bench collections
 * (REST), then posts and comments through GraphQL bulk creates (100 per mutation, a few in
 * flight). Returns the post ids in data.ts's order.
 */
import { BULK_SIZE, collectionBodies, generateComments, generatePosts, type PostData } from "./data.ts";

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

/** POST /graphql; throws on a non-200 answer or GraphQL errors. */
export async function graphql(base: string, token: string, query: string, variables?: unknown): Promise<any> {
  const r = await call(base, "POST", "/graphql", { query, variables }, token);
  if (r.status !== 200 || r.json?.errors) throw new Error(`GraphQL failed: ${r.status} ${JSON.stringify(r.json).slice(0, 500)}`);
  return r.json.data;
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
  for (const key of ["rate_limit_admin_per_minute", "rate_limit_admin_per_hour"]) {
    const r = await call(base, "POST", "/api/v1/settings", { key, value: 1_000_000_000, category: "security", description: "raised by npm run bench" }, token);
    if (r.status === 404) return "no settings routes: rate limits untouched";
    if (r.status !== 200 && r.status !== 201) throw new Error(`raising the rate limit (${key}) failed: ${r.status} ${JSON.stringify(r.json)}`);
  }
  return "admin rate limits raised to 1e9/min, 1e9/h (limiter still on)";
}

/** Creates the bench collections (posts, drafts, comments). */
export async function createCollections(base: string, token: string): Promise<void> {
  for (const body of collectionBodies) {
    const c = await call(base, "POST", "/api/v1/collections", body, token);
    if (c.status !== 201 && c.status !== 200) throw new Error(`creating collection '${body.name}' failed: ${c.status} ${JSON.stringify(c.json)}`);
  }
}

/** Runs `batches` jobs, `inFlight` at a time. */
async function pool(batches: number, inFlight: number, job: (b: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < batches) await job(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

/**
 * Creates posts[from..to) (createPosts, 100 per mutation) and, when `commented` > 0, the comments
 * of the newest `commented` posts (createComments; needs every post from to - commented on in
 * `knownIds`). Returns the new posts' ids in order.
 */
export async function seedCairn(base: string, token: string, from: number, to: number, opts: { commented?: number; knownIds?: string[]; progress?: (done: number) => void } = {}): Promise<string[]> {
  const posts: PostData[] = generatePosts(to, from);
  const ids: string[] = new Array(posts.length);
  let done = 0;
  await pool(Math.ceil(posts.length / BULK_SIZE), 4, async (b) => {
    // GraphQL types select fields as enums: each status as its enum name (`draft` → `DRAFT`)
    const d = posts.slice(b * BULK_SIZE, (b + 1) * BULK_SIZE).map((p) => ({ ...p, status: p.status.toUpperCase() }));
    const created: { id: string }[] = (
      await graphql(
        base,
        token,
        `
          mutation ($d: [PostCreateInput!]!) {
            createPosts(data: $d) {
              id
            }
          }
        `,
        { d },
      )
    ).createPosts;
    created.forEach((p, i) => (ids[b * BULK_SIZE + i] = p.id));
    done += d.length;
    if (done % 10_000 < BULK_SIZE) opts.progress?.(done);
  });
  if (opts.commented) {
    const all = [...(opts.knownIds ?? []), ...ids];
    const comments = generateComments(to, opts.commented).map((c) => ({ body: c.body, post: all[c.post - (to - all.length)]! }));
    await pool(Math.ceil(comments.length / BULK_SIZE), 4, async (b) => {
      await graphql(
        base,
        token,
        `
          mutation ($d: [CommentCreateInput!]!) {
            createComments(data: $d) {
              id
            }
          }
        `,
        { d: comments.slice(b * BULK_SIZE, (b + 1) * BULK_SIZE) },
      );
    });
  }
  return ids;
}
