/**
 * GraphQL names generated from collection names (DESIGN.md "GraphQL contract"):
 * type = PascalCase of the singular (`blog_posts` → `BlogPost`), single field = camelCase
 * singular, list field = camelCase plural, or singular + `List` when both are the same word
 * (`news` → `news` / `newsList`). `assertGraphqlNamesFree` rejects a set of collections whose
 * names would collide with each other or with the system schema, before anything is written.
 */
import type { CollectionDef } from "../core/collections/types.ts";
import { ValidationError } from "../core/errors.ts";
import { own } from "../lib/own.ts";
import { SYSTEM_FIELDS } from "../query/system-fields.ts";

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

/** Type names of the system schema (plus GraphQL's own). Collections may not generate these. */
export const SYSTEM_TYPE_NAMES: ReadonlySet<string> = new Set([
  ...["Query", "Mutation", "Subscription", "Node", "PageInfo", "SortOrder", "ChangeAction"],
  ...["User", "Account", "Collection", "CollectionField", "CollectionInput", "CollectionUpdateInput", "FieldInput"],
  ...["AuthPayload", "TokenPair", "InstallLinkStatus", "GeoPoint", "GeoPointInput", "Job", "JobProgress", "ImportOutcome", "ImportRowError"],
  ...["IDFilter", "StringFilter", "IntFilter", "FloatFilter", "BooleanFilter", "DateTimeFilter", "DateFilter", "StringListFilter", "JSONFilter"],
  ...["DateTime", "Date", "JSON", "EmailAddress", "URL", "String", "Int", "Float", "Boolean", "ID"],
]);

/** Root fields of the system schema, per root type. */
export const SYSTEM_ROOT_FIELDS = {
  Query: new Set(["me", "collections", "collection", "job", "jobs", "node", "nodes", "installLink"]),
  Mutation: new Set(["login", "register", "refreshToken", "installSuperadmin", "createCollection", "updateCollection", "deleteCollection", "cancelJob", "importRecords", "exportRecords"]),
  Subscription: new Set<string>(["jobProgress"]),
} as const;

/** Fields every record type has; collection fields may not use these names. */
export const RECORD_SYSTEM_FIELDS: ReadonlySet<string> = new Set(SYSTEM_FIELDS.flatMap((f) => (f.graphqlName ? [f.graphqlName] : [])));

/**
 * Names claimed so far by a set of collections; `claim(def)` adds one collection's names, or
 * returns why they collide (nothing is added then). Linear in the number of collections.
 */
export class GraphqlNameClaims {
  readonly #types = new Map<string, string>();
  readonly #roots = { Query: new Map<string, string>(), Mutation: new Map<string, string>(), Subscription: new Map<string, string>() };

  claim(def: Pick<CollectionDef, "name" | "fields">): string | null {
    const n = collectionNames(def.name);
    const typeNames = [n.type, n.connection, n.edge, n.where, n.orderBy, n.createInput, n.updateInput, n.change];
    const rootNames: [keyof typeof SYSTEM_ROOT_FIELDS, string][] = [
      ["Query", n.single],
      ["Query", n.list],
      ...[n.create, n.update, n.delete, n.createMany, n.updateMany, n.deleteMany].map((f) => ["Mutation", f] as [keyof typeof SYSTEM_ROOT_FIELDS, string]),
      ...[n.created, n.updated, n.deleted, n.changed].map((f) => ["Subscription", f] as [keyof typeof SYSTEM_ROOT_FIELDS, string]),
    ];
    for (const t of typeNames) {
      if (SYSTEM_TYPE_NAMES.has(t)) return `Collection '${def.name}' would generate the GraphQL type '${t}', which is a system type`;
      const owner = this.#types.get(t);
      if (owner !== undefined && owner !== def.name) return `Collection '${def.name}' would generate the GraphQL type '${t}', already generated by collection '${owner}'`;
    }
    for (const [root, f] of rootNames) {
      if (SYSTEM_ROOT_FIELDS[root].has(f)) return `Collection '${def.name}' would generate the GraphQL field ${root}.${f}, which is a system field`;
      const owner = this.#roots[root].get(f);
      if (owner !== undefined && owner !== def.name) return `Collection '${def.name}' would generate the GraphQL field ${root}.${f}, already generated by collection '${owner}'`;
    }
    for (const f of def.fields) {
      if (RECORD_SYSTEM_FIELDS.has(f.name)) return `Field '${f.name}' of collection '${def.name}' collides with the GraphQL system field '${f.name}' of every record type`;
    }
    for (const t of typeNames) this.#types.set(t, def.name);
    for (const [root, f] of rootNames) this.#roots[root].set(f, def.name);
    return null;
  }
}

/**
 * Why the collections' generated names cannot coexist, or null. Later collections in the list
 * are blamed for collisions with earlier ones (pass the candidate last).
 */
export function graphqlNameConflict(defs: readonly Pick<CollectionDef, "name" | "fields">[]): { collection: string; message: string } | null {
  const claims = new GraphqlNameClaims();
  for (const def of defs) {
    const message = claims.claim(def);
    if (message) return { collection: def.name, message };
  }
  return null;
}

/**
 * Throws a ValidationError (422, `fields.name`) when the collections' generated GraphQL names
 * collide with each other or with the system schema. Call it with the complete set of
 * definitions as they would be after a create/update (candidate last), before writing anything.
 * @example assertGraphqlNamesFree([...registry.list().filter((d) => d.id !== next.id), next])
 */
export function assertGraphqlNamesFree(defs: readonly Pick<CollectionDef, "name" | "fields">[]): void {
  const conflict = graphqlNameConflict(defs);
  if (conflict) throw new ValidationError(conflict.message, { name: conflict.message });
}
