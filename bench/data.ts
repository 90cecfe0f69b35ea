/**
 * The benchmark's collections and data. The same deterministic rows (seeded PRNG) go into Cairn
 * (through its public APIs, bench/seed.ts) and into each floor (directly, bench/floor-*.ts), so
 * both servers hold the same table contents:
 *
 *   posts     10,000 records (grown to 100,000 for the scale figures), fields title, body,
 *             views, published, status
 *   comments  10,000 records, five on each of the 2,000 newest posts, `post` → posts
 *   drafts    written by the create and bulk-create workloads (same fields as posts), so the
 *             reads always see the seeded posts table only
 */

export const COLLECTION = "posts";
export const COMMENTS = "comments";
export const DRAFTS = "drafts";
export const STATUSES = ["draft", "review", "published", "archived"] as const;
/** comments per commented post, and how many of the newest posts have comments */
export const COMMENTS_PER_POST = 5;

const postFields = [
  { name: "title", type: "text", validation: { required: true, max_length: 200 } },
  { name: "body", type: "editor", validation: {} },
  { name: "views", type: "number", validation: { min: 0 } },
  { name: "published", type: "bool", validation: {} },
  { name: "status", type: "select", validation: { values: [...STATUSES] } },
];

/** The posts collection's `POST /api/v1/collections` body (standalone probes create only this one). */
export const collectionBody = { name: COLLECTION, schema: postFields };

/** `POST /api/v1/collections` bodies, in creation order. */
export const collectionBodies = [
  collectionBody,
  { name: DRAFTS, schema: postFields },
  {
    name: COMMENTS,
    schema: [
      { name: "body", type: "text", validation: {} },
      { name: "post", type: "reference", relation: { collection: COLLECTION } },
    ],
  },
];

export interface PostData {
  title: string;
  body: string;
  views: number;
  published: boolean;
  status: (typeof STATUSES)[number];
}

export interface CommentData {
  body: string;
  /** index of the post (in generatePosts order) the comment belongs to */
  post: number;
}

/** The list workload (issue 8): published posts with views > 500, most viewed first, ties by id. */
export const LIST_QUERY = { filter: "published=true && views>500", sort: "-views,id", per_page: 30 } as const;
export const LIST_MIN_VIEWS = 500;
/** The contains workload: a common word, ~12% of titles; the floor stops after 31 matches in id order. */
export const CONTAINS_WORD = "lorem";
/** The rare word: in the titles of RARE_EVERY-th posts only (10 of 100,000), so a scan reads every row. */
export const RARE_WORD = "zyzzyva";
export const RARE_EVERY = 10_000;
/** The search workload: full-text, every word as a prefix, ranked by relevance (no sort given). */
export const SEARCH_TERM = "lorem";

/** The record the create workload posts (same body on every request, for both servers). */
export const createBody: { data: PostData } = {
  data: {
    title: "Benchmark post",
    body: "<p>Written by the create scenario of <code>npm run bench</code>. ".repeat(4) + "</p>",
    views: 42,
    published: true,
    status: "draft",
  },
};

/** The bulk-create workload: 100 records in one request (GraphQL `createDrafts`). */
export const BULK_SIZE = 100;
export const bulkBody = JSON.stringify({
  query: "mutation($d: [DraftCreateInput!]!) { createDrafts(data: $d) { id } }",
  // GraphQL types select fields as enums: the value's enum name (`draft` → `DRAFT`)
  variables: { d: Array.from({ length: BULK_SIZE }, (_, i) => ({ ...createBody.data, status: createBody.data.status.toUpperCase(), title: `Bulk post ${i}`, views: i })) },
});

/** The nested GraphQL workload: 30 newest posts with their 5 newest comments (a reverse connection). */
export const NESTED_QUERY = `{ posts(first: 30, orderBy: [{ created: DESC }]) { nodes { id title views comments(first: 5, orderBy: [{ created: DESC }]) { nodes { id body } } } } }`;

const WORDS =
  "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat".split(
    " ",
  );

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Posts `from` to `to - 1` of one deterministic sequence: ~70% published, views 0–9999, bodies of
 * 300–900 characters, the rare word in the title of every RARE_EVERY-th post (starting at 4,321).
 */
export function generatePosts(to: number, from = 0, seed = 20240601): PostData[] {
  const rnd = prng(seed);
  const pick = () => WORDS[Math.floor(rnd() * WORDS.length)]!;
  const words = (k: number) => Array.from({ length: k }, pick).join(" ");
  const out: PostData[] = [];
  for (let i = 0; i < to; i++) {
    const paragraphs = 2 + Math.floor(rnd() * 3);
    const title = `Post ${i + 1}: ${words(3 + Math.floor(rnd() * 5))}${i % RARE_EVERY === 4321 ? ` ${RARE_WORD}` : ""}`;
    const body = Array.from({ length: paragraphs }, () => `<p>${words(20 + Math.floor(rnd() * 25))}</p>`).join("");
    const views = Math.floor(rnd() * 10_000);
    const published = rnd() < 0.7;
    const status = STATUSES[Math.floor(rnd() * STATUSES.length)]!;
    if (i >= from) out.push({ title, body, views, published, status });
  }
  return out;
}

/** Five comments on each of the `commented` newest of `posts` posts (newest post last). */
export function generateComments(posts: number, commented = 2000): CommentData[] {
  const out: CommentData[] = [];
  const first = Math.max(0, posts - commented);
  for (let p = first; p < posts; p++)
    for (let k = 0; k < COMMENTS_PER_POST; k++) out.push({ body: `Comment ${k + 1} on post ${p + 1}: ${WORDS[(p + k) % WORDS.length]} ${WORDS[(p * 7 + k) % WORDS.length]}`, post: p });
  return out;
}
