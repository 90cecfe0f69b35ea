// The GraphQL names the server derives from a collection name (README "GraphQL → Names"): the
// single field is the camelCase singular (`blog_posts` → `blogPost`), so its change subscription
// is `blogPostChanged`. Mirrors src/graphql/names.ts (test/api/admin-records.test.ts compares the two).

const IRREGULAR: Record<string, string> = {
  people: "person",
  children: "child",
  men: "man",
  women: "woman",
  mice: "mouse",
  geese: "goose",
  feet: "foot",
  teeth: "tooth",
  indices: "index",
  matrices: "matrix",
  vertices: "vertex",
  criteria: "criterion",
  phenomena: "phenomenon",
  movies: "movie",
  cookies: "cookie",
  pies: "pie",
  ties: "tie",
  statuses: "status",
  buses: "bus",
  bonuses: "bonus",
  campuses: "campus",
  viruses: "virus",
  shelves: "shelf",
  wolves: "wolf",
  knives: "knife",
  leaves: "leaf",
  lives: "life",
  halves: "half",
  wives: "wife",
  thieves: "thief",
  calves: "calf",
  loaves: "loaf",
};
const UNCOUNTABLE = new Set(["news", "sheep", "fish", "deer", "series", "species", "data", "information", "equipment", "media", "metadata", "feedback", "software", "staff"]);

function singularize(word: string): string {
  const w = word.toLowerCase();
  if (UNCOUNTABLE.has(w)) return w;
  if (Object.prototype.hasOwnProperty.call(IRREGULAR, w)) return IRREGULAR[w]!;
  if (/[^aeiou]ies$/.test(w) && w.length > 4) return w.slice(0, -3) + "y";
  if (/(ss|sh|ch|x|z)es$/.test(w)) return w.slice(0, -2);
  if (/(ss|us|is)$/.test(w)) return w;
  if (/[a-z]s$/.test(w) && w.length > 1) return w.slice(0, -1);
  return w;
}

const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

/** `blog_posts` → `blogPost` (the GraphQL single field; `<single>Changed` is the subscription). */
export function graphqlSingle(collection: string): string {
  const ws = collection
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .split(/_+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  if (ws.length === 0) ws.push("record");
  ws[ws.length - 1] = singularize(ws[ws.length - 1]!);
  return ws[0]! + ws.slice(1).map(cap).join("");
}
