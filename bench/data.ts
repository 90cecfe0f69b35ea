/**
 * The benchmark collection and its data: the same deterministic records (seeded PRNG) go into
 * Cairn (through its REST API) and into the floor (directly), so both tables hold the same rows.
 */

export const COLLECTION = "posts";
export const STATUSES = ["draft", "review", "published", "archived"] as const;

/** `POST /api/v1/collections` body for the benchmark collection. */
export const collectionBody = {
  name: COLLECTION,
  schema: [
    { name: "title", type: "text", validation: { required: true, max_length: 200 } },
    { name: "body", type: "editor", validation: {} },
    { name: "views", type: "number", validation: { min: 0 } },
    { name: "published", type: "bool", validation: {} },
    { name: "status", type: "select", validation: { values: [...STATUSES] } },
  ],
};

export interface PostData {
  title: string;
  body: string;
  views: number;
  published: boolean;
  status: (typeof STATUSES)[number];
}

/** The list query every server answers: published posts with views > 100, most viewed first. */
export const LIST_QUERY = { filter: "published=true && views>100", sort: "-views", per_page: 30 } as const;
export const LIST_MIN_VIEWS = 100;

/** The record the create scenario posts (same body on every request, for both servers). */
export const createBody: { data: PostData } = {
  data: {
    title: "Benchmark post",
    body: "<p>Written by the create scenario of <code>npm run bench</code>. ".repeat(4) + "</p>",
    views: 42,
    published: true,
    status: "draft",
  },
};

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

/** `n` deterministic posts: ~70% published, views 0–9999, bodies of 300–900 characters. */
export function generatePosts(n: number, seed = 20240601): PostData[] {
  const rnd = prng(seed);
  const pick = () => WORDS[Math.floor(rnd() * WORDS.length)]!;
  const words = (k: number) => Array.from({ length: k }, pick).join(" ");
  const out: PostData[] = [];
  for (let i = 0; i < n; i++) {
    const paragraphs = 2 + Math.floor(rnd() * 3);
    out.push({
      title: `Post ${i + 1}: ${words(3 + Math.floor(rnd() * 5))}`,
      body: Array.from({ length: paragraphs }, () => `<p>${words(20 + Math.floor(rnd() * 25))}</p>`).join(""),
      views: Math.floor(rnd() * 10_000),
      published: rnd() < 0.7,
      status: STATUSES[Math.floor(rnd() * STATUSES.length)]!,
    });
  }
  return out;
}
