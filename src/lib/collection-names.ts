/**
 * GraphQL names generated from collection names (DESIGN.md "GraphQL contract"):
 * type = PascalCase of the singular (`blog_posts` → `BlogPost`), single field = camelCase
 * singular, list field = camelCase plural, or singular + `List` when both are the same word
 * (`news` → `news` / `newsList`). Pure, so the admin UI (browser code) derives the same names
 * the server does; src/graphql/names.ts adds the collision checks.
 */
import { own } from "./own.ts";

/** Every name the schema derives from one collection. */
export interface CollectionNames {
  /** object type, e.g. `Post` */
  type: string;
  /** `post` */
  single: string;
  /** `posts` (or `newsList`) */
  list: string;
  connection: string;
  edge: string;
  where: string;
  orderBy: string;
  createInput: string;
  updateInput: string;
  change: string;
  /** mutation fields */
  create: string;
  update: string;
  delete: string;
  createMany: string;
  updateMany: string;
  deleteMany: string;
  /** subscription fields */
  created: string;
  updated: string;
  deleted: string;
  changed: string;
}

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
const IRREGULAR_PLURAL = Object.fromEntries(Object.entries(IRREGULAR).map(([p, s]) => [s, p]));
const UNCOUNTABLE = new Set(["news", "sheep", "fish", "deer", "series", "species", "data", "information", "equipment", "media", "metadata", "feedback", "software", "staff"]);

/** Singular of one lower-case English word (good enough for identifiers; unknown forms stay as they are). */
export function singularize(word: string): string {
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

/** Plural of one lower-case English word. */
export function pluralize(word: string): string {
  const w = word.toLowerCase();
  if (UNCOUNTABLE.has(w)) return w;
  const plural = own(IRREGULAR_PLURAL, w);
  if (plural) return plural;
  if (/[^aeiou]y$/.test(w)) return w.slice(0, -1) + "ies";
  if (/(s|x|z|ch|sh)$/.test(w)) return w + "es";
  if (!/[a-z]$/.test(w)) return w;
  return w + "s";
}

/** Splits `blog_posts`, `BlogPosts`, `blogPosts` into lower-case words. */
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

/**
 * The names for a collection.
 * @example collectionNames("blog_posts") // { type: "BlogPost", single: "blogPost", list: "blogPosts", … }
 * @example collectionNames("news").list // "newsList"
 */
export function collectionNames(collection: string): CollectionNames {
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
    connection: `${type}Connection`,
    edge: `${type}Edge`,
    where: `${type}Where`,
    orderBy: `${type}OrderBy`,
    createInput: `${type}CreateInput`,
    updateInput: `${type}UpdateInput`,
    change: `${type}Change`,
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
