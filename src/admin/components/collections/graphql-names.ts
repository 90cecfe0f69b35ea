// The GraphQL names of a collection, derived as the server derives them (src/graphql/names.ts,
// README "GraphQL → Names"); test/api/admin-collections.test.ts compares both for many names.
// The API examples page also asks the live schema (introspection) whether the type exists.

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
const IRREGULAR_PLURAL: Record<string, string> = Object.fromEntries(Object.entries(IRREGULAR).map(([p, s]) => [s, p]));
const UNCOUNTABLE = new Set(["news", "sheep", "fish", "deer", "series", "species", "data", "information", "equipment", "media", "metadata", "feedback", "software", "staff"]);
const own = (o: Record<string, string>, k: string) => (Object.hasOwn(o, k) ? o[k] : undefined);

function singularize(word: string): string {
  const w = word.toLowerCase();
  if (UNCOUNTABLE.has(w)) return w;
  const singular = own(IRREGULAR, w);
  if (singular) return singular;
  if (/[^aeiou]ies$/.test(w) && w.length > 4) return w.slice(0, -3) + "y";
  if (/(ss|sh|ch|x|z)es$/.test(w)) return w.slice(0, -2);
  if (/(ss|us|is)$/.test(w)) return w;
  if (/[a-z]s$/.test(w) && w.length > 1) return w.slice(0, -1);
  return w;
}

function pluralize(word: string): string {
  const w = word.toLowerCase();
  if (UNCOUNTABLE.has(w)) return w;
  const plural = own(IRREGULAR_PLURAL, w);
  if (plural) return plural;
  if (/[^aeiou]y$/.test(w)) return w.slice(0, -1) + "ies";
  if (/(s|x|z|ch|sh)$/.test(w)) return w + "es";
  if (!/[a-z]$/.test(w)) return w;
  return w + "s";
}

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .split(/_+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
const pascal = (ws: string[]) => ws.map(cap).join("");
const camel = (ws: string[]) => ws[0]! + ws.slice(1).map(cap).join("");

export interface GraphqlNames {
  type: string;
  single: string;
  list: string;
  where: string;
  orderBy: string;
  createInput: string;
  updateInput: string;
  create: string;
  update: string;
  delete: string;
  createMany: string;
  updateMany: string;
  deleteMany: string;
  created: string;
  updated: string;
  deleted: string;
  changed: string;
}

export function graphqlNames(collection: string): GraphqlNames {
  const ws = words(collection);
  if (ws.length === 0) ws.push("record");
  const last = ws[ws.length - 1]!;
  const singular = singularize(last);
  const plural = singular === last ? pluralize(last) : last;
  const singleWords = [...ws.slice(0, -1), singular];
  const type = pascal(singleWords);
  const single = camel(singleWords);
  const listCamel = camel([...ws.slice(0, -1), plural]);
  const list = listCamel === single ? `${single}List` : listCamel;
  const List = cap(list);
  return {
    type,
    single,
    list,
    where: `${type}Where`,
    orderBy: `${type}OrderBy`,
    createInput: `${type}CreateInput`,
    updateInput: `${type}UpdateInput`,
    create: `create${type}`,
    update: `update${type}`,
    delete: `delete${type}`,
    createMany: `create${List}`,
    updateMany: `update${List}`,
    deleteMany: `delete${List}`,
    created: `${single}Created`,
    updated: `${single}Updated`,
    deleted: `${single}Deleted`,
    changed: `${single}Changed`,
  };
}
