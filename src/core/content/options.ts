/**
 * The content workflow as a feature of collections. A collection opts in with options:
 *
 * - `drafts: true` — documents carry a `status` (`draft` | `published`), `published_at`, and the
 *   schedule columns `publish_at` / `unpublish_at`; readers who may not see drafts see only
 *   published documents (content/visibility.ts);
 * - `versions: true` — every create, update and restore stores a snapshot (content/versions.ts),
 *   the newest `versions_keep` (setting `content_versions_keep`, default 50) are kept;
 * - `slug_field` / `title_field` — the field a document's `slug` is made from / its title.
 *   A collection with drafts or a slug field has a `slug` column, unique per collection.
 *
 * The workflow columns are real fields of the collection (added here to the definition, with
 * fixed ids so they keep their data across schema changes), so filters, sorts, rules, GraphQL
 * types and inputs, FastCMS records and subscriptions all see them without a special case.
 */
import type { CollectionDef, FieldDef } from "../collections/types.ts";

/** The workflow options of a collection, read from its `options`. */
export interface ContentOptions {
  drafts: boolean;
  versions: boolean;
  slugField: string | null;
  titleField: string | null;
}

/** Statuses of a draft-enabled collection. */
export const STATUSES = ["draft", "published"] as const;
export type Status = (typeof STATUSES)[number];

/** Names of the workflow fields (columns and API names). */
export const CONTENT_FIELD = { status: "status", publishedAt: "published_at", slug: "slug", publishAt: "publish_at", unpublishAt: "unpublish_at" } as const;

const STATUS_FIELD: FieldDef = {
  id: "content-status",
  name: CONTENT_FIELD.status,
  type: "select",
  required: false,
  unique: false,
  index: true,
  default: "draft",
  options: { values: [...STATUSES] },
  label: "Status",
};
const DATETIME = (id: string, name: string, label: string): FieldDef => ({ id, name, type: "datetime", required: false, unique: false, index: true, options: {}, label });
const SLUG_FIELD: FieldDef = { id: "content-slug", name: CONTENT_FIELD.slug, type: "text", required: false, unique: true, index: false, options: { maxLength: 200 }, label: "Slug" };

const byCollection = new WeakMap<CollectionDef, ContentOptions>();

/** The workflow options of `def` (cached per definition object). */
export function contentOptions(def: Pick<CollectionDef, "options"> & object): ContentOptions {
  const cached = byCollection.get(def as CollectionDef);
  if (cached) return cached;
  const o = def.options;
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  const out: ContentOptions = { drafts: o.drafts === true, versions: o.versions === true, slugField: text(o.slug_field), titleField: text(o.title_field) };
  byCollection.set(def as CollectionDef, out);
  return out;
}

/** True when the collection takes part in the workflow at all. */
export function isContentCollection(def: CollectionDef): boolean {
  const o = contentOptions(def);
  return o.drafts || o.versions || o.slugField !== null;
}

/** True when documents of `def` have a `slug` column. */
export function hasSlug(def: Pick<CollectionDef, "options">): boolean {
  const o = contentOptions(def);
  return o.drafts || o.slugField !== null;
}

/** The workflow fields a collection with these options has, in table order. */
export function workflowFields(options: Record<string, unknown>): FieldDef[] {
  const o = contentOptions({ options });
  const out: FieldDef[] = [];
  if (o.drafts)
    out.push(
      STATUS_FIELD,
      DATETIME("content-published", CONTENT_FIELD.publishedAt, "Published at"),
      DATETIME("content-publish-at", CONTENT_FIELD.publishAt, "Publish at"),
      DATETIME("content-unpub-at", CONTENT_FIELD.unpublishAt, "Unpublish at"),
    );
  if (o.drafts || o.slugField) out.push(SLUG_FIELD);
  return out;
}

const WORKFLOW_IDS: ReadonlySet<string> = new Set(["content-status", "content-published", "content-publish-at", "content-unpub-at", "content-slug"]);

/** True for a field the workflow adds (not one the user defined). */
export function isWorkflowField(f: Pick<FieldDef, "id">): boolean {
  return WORKFLOW_IDS.has(f.id);
}

/**
 * The field list of a definition with the workflow fields its options ask for: the user's fields
 * (workflow fields sent back with a definition are replaced; a user field with a workflow name is
 * an error), then the workflow fields. Returns problems with the options by option name.
 */
export function withWorkflowFields(fields: FieldDef[], options: Record<string, unknown>, errors: Record<string, string>): FieldDef[] {
  for (const key of ["drafts", "versions"] as const) if (options[key] !== undefined && typeof options[key] !== "boolean") errors[`options.${key}`] = "must be a boolean";
  const extra = workflowFields(options);
  const names = new Set(extra.map((f) => f.name));
  const own = fields.filter((f) => !isWorkflowField(f));
  own.forEach((f, i) => {
    if (names.has(f.name)) errors[`fields[${i}].name`] = `'${f.name}' is a field of the content workflow (options drafts/slug_field)`;
  });
  for (const key of ["slug_field", "title_field"] as const) {
    const v = options[key];
    if (v === undefined || v === null || v === "") continue;
    const field = typeof v === "string" ? own.find((f) => f.name === v) : undefined;
    if (!field) errors[`options.${key}`] = typeof v === "string" ? `no field named '${v.slice(0, 60)}'` : "must be a field name";
    else if (!["text", "textarea", "email", "url", "select"].includes(field.type)) errors[`options.${key}`] = `field '${field.name}' must be a text field`;
  }
  return [...own, ...extra];
}
