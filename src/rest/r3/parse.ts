/**
 * R3 CMS wire shapes → domain input: list parameters (`type`, `page`, `limit`, `sort`,
 * `fields`, `draft`, `filters[…]`), document bodies and content-type bodies. R3 names the
 * document's base columns in camelCase and its fields `data.<name>`; this file owns that map.
 */
import type { Expr } from "../../query/ast.ts";
import { FilterError } from "../../query/ast.ts";
import { parseBrackets } from "../../query/parse-brackets.ts";
import { isListField, type CollectionDef } from "../../core/collections/types.ts";
import { contentTypes, TYPE_FIELD } from "../../core/content/documents.ts";
import { isWorkflowField } from "../../core/content/options.ts";
import type { Context } from "../../core/context.ts";
import { BadRequestError, ValidationError } from "../../core/errors.ts";
import { own } from "../../lib/own.ts";

/** R3 base column → field name (`type` is the collection itself). */
export const BASE: Readonly<Record<string, string>> = Object.freeze({
  id: "id",
  type: TYPE_FIELD,
  slug: "slug",
  status: "status",
  authorId: "owner_id",
  publishedAt: "published_at",
  createdAt: "created",
  updatedAt: "updated",
});

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** The user fields of a content type (the workflow's own are base columns in R3). */
export function dataFields(def: CollectionDef) {
  return def.fields.filter((f) => !isWorkflowField(f));
}

/** Maps an R3 field name to a field of `defs` (`data.x` → `x` when one of them has it). */
function resolver(defs: readonly CollectionDef[]) {
  return (name: string) => {
    const base = own(BASE, name);
    if (base) return { name: base, list: false };
    if (!name.startsWith("data.")) return undefined;
    const field = name.slice(5);
    const hit = defs.map((d) => dataFields(d).find((f) => f.name === field)).find((f) => f);
    return hit ? { name: hit.name, list: isListField(hit) } : undefined;
  };
}

/** Query-string pairs of a request URL, decoded, in order. */
export function queryPairs(url: string): [string, string][] {
  const i = url.indexOf("?");
  return i < 0 ? [] : [...new URLSearchParams(url.slice(i + 1))];
}

export interface R3ListQuery {
  type?: string;
  filter?: Expr;
  sort?: string;
  page: number;
  limit: number;
  drafts: boolean;
  fields?: Projection;
}

/** `fields=` : names to keep, or names to drop (`-data.body`); never both. */
export type Projection = { mode: "include" | "exclude"; names: string[] };

function integer(value: string | undefined, name: string, min: number, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new ValidationError(`Invalid ${name}: must be an integer of at least ${min}`, { [name]: `must be an integer of at least ${min}` });
  return Number(value);
}

/** `true`/`false` (any case, or 1/0); absent → false. */
export function flag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === "") return false;
  const v = value.trim().toLowerCase();
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new ValidationError(`Invalid ${name}: must be true or false`, { [name]: "must be true or false" });
}

/**
 * Parses the list parameters of `GET /api/content`.
 * @throws ValidationError 422 naming the parameter (filters: unknown field or operator).
 */
export function parseListQuery(ctx: Context, pairs: [string, string][]): R3ListQuery {
  const one = (name: string) => pairs.find(([k]) => k === name)?.[1];
  const type = one("type") || undefined;
  const defs = type ? contentTypes(ctx).filter((d) => d.name === type) : contentTypes(ctx);
  const resolve = resolver(defs);
  let filter: Expr | undefined;
  try {
    filter = parseBrackets(pairs, { field: resolve });
  } catch (e) {
    if (e instanceof FilterError) throw new ValidationError(`Invalid filters: ${e.message}`, { filters: e.message });
    throw e;
  }
  const sort = one("sort");
  let sortText: string | undefined;
  if (sort !== undefined && sort.trim() !== "") {
    sortText = sort
      .split(",")
      .map((raw) => {
        const t = raw.trim();
        const desc = t.startsWith("-");
        const name = t.replace(/^[-+]/, "");
        const f = resolve(name);
        if (!f || f.name === TYPE_FIELD) throw new ValidationError(`Invalid sort: unknown sort field '${name.slice(0, 60)}'`, { sort: `unknown sort field '${name.slice(0, 60)}'` });
        return `${desc ? "-" : ""}${f.name}`;
      })
      .join(",");
  }
  // spec 004 documents the maximum ("max: 100"): a larger limit is an invalid parameter, not clamped
  const limit = integer(one("limit"), "limit", 1, DEFAULT_LIMIT);
  if (limit > MAX_LIMIT) throw new ValidationError(`Invalid limit: must be at most ${MAX_LIMIT}`, { limit: `must be at most ${MAX_LIMIT}` });
  return { type, filter, sort: sortText, page: integer(one("page"), "page", 1, 1), limit, drafts: flag(one("draft"), "draft"), fields: parseFields(one("fields")) };
}

/** `fields=title,slug` / `fields=-data.body,-data.raw`. @throws ValidationError 422 when mixed or empty. */
export function parseFields(value: string | undefined): Projection | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const parts = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const excluded = parts.filter((p) => p.startsWith("-"));
  if (excluded.length && excluded.length !== parts.length)
    throw new ValidationError("Invalid fields: list fields to keep or fields to drop (-name), not both", { fields: "mixes inclusion and exclusion" });
  return excluded.length ? { mode: "exclude", names: parts.map((p) => p.slice(1)) } : { mode: "include", names: parts };
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** Top-level document body keys and the fields they set. */
const DOC_KEYS: ReadonlyMap<string, string> = new Map([
  ["slug", "slug"],
  ["status", "status"],
  ["publishAt", "publish_at"],
  ["unpublishAt", "unpublish_at"],
]);

/**
 * A document body (`{type?, data, slug?, status?, publishAt?, unpublishAt?}`) → record input for
 * `def`. `data` holds the content type's own fields only.
 * @throws ValidationError 422 (not an object, data not an object, data naming a workflow
 *   field), BadRequestError 400 (unknown top-level key).
 */
export function documentInput(def: CollectionDef, body: unknown, create: boolean): Raw {
  if (!isObject(body)) throw new ValidationError("Request body must be a JSON object", { body: "must be an object" });
  const out: Raw = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === "type") continue;
    if (key === "data") {
      if (!isObject(value)) throw new ValidationError("Invalid data: must be an object", { data: "must be an object" });
      const own = new Map(dataFields(def).map((f) => [f.name, f]));
      for (const [k, v] of Object.entries(value)) {
        const f = own.get(k);
        if (!f) throw new ValidationError(`Invalid data: unknown field '${k.slice(0, 60)}' for content type '${def.name}'`, { [`data.${k.slice(0, 60)}`]: "unknown field" });
        // R3 rich text is a JSON document; ours is text (HTML or a serialised document)
        const stored = f.type === "editor" && typeof v === "object" && v !== null ? JSON.stringify(v) : v;
        Object.defineProperty(out, k, { value: stored, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const field = DOC_KEYS.get(key);
    if (!field) throw new BadRequestError(`Unknown key '${key.slice(0, 60)}' (allowed: type, data, ${[...DOC_KEYS.keys()].join(", ")})`, { [key.slice(0, 60)]: "unknown key" });
    out[field] = value;
  }
  if (create && !isObject(body.data)) throw new ValidationError("Invalid data: is required", { data: "is required" });
  if (!create && Object.keys(out).length === 0) throw new ValidationError("Nothing to update: send data or slug, status, publishAt, unpublishAt", { data: "is required" });
  return out;
}
