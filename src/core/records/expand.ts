/**
 * Expansion of references in read results: the records a page's reference fields point to, and
 * back-relations (the records of another collection whose single reference points at each
 * record), nested along dotted paths — FastCMS/PocketBase `expand=author,author.company,
 * comments_via_post`.
 *
 * Promises:
 * - One statement per path segment and level, whatever the number of records (ids are batched
 *   through `getRecordsByIds`, back-relations through `listRecordsGrouped`): never one per row.
 * - The caller's rules apply at every level: a referenced record the view rule hides reads as
 *   null (absent from a list), a collection the caller may not view is not expanded at all, and
 *   redacted fields stay redacted (a hidden reference field cannot be expanded through).
 * - Unknown segments → 400 naming the segment and the collection; limits on paths and depth.
 */
import type { CollectionDef, FieldDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { BadRequestError, ForbiddenError, UnauthenticatedError } from "../errors.ts";
import { getRecordsByIds, listRecordsGrouped } from "./batch-read.ts";
import type { RecordData } from "./values.ts";

/** A record with what was expanded from it. */
export interface ExpandedRecord {
  /** the collection the record belongs to */
  collection: string;
  record: RecordData;
  expand: Expansion;
}

/** Per expanded name: the referenced record (null when absent or hidden), or a list. */
export type Expansion = Map<string, ExpandedRecord | ExpandedRecord[] | null>;

export const MAX_EXPAND_PATHS = 20;
export const MAX_EXPAND_DEPTH = 6;
/** Records per parent a back-relation expands to (newest first). */
export const BACK_RELATION_LIMIT = 100;

interface PathTree {
  children: Map<string, PathTree>;
}

/**
 * Parses `a,b.c` into paths. Throws 400 on empty segments and over the limits.
 * @example parseExpand("author,author.company") // [["author"], ["author", "company"]]
 */
export function parseExpand(spec: string): string[][] {
  const paths = spec
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => p.split("."));
  if (paths.length > MAX_EXPAND_PATHS) throw new BadRequestError(`At most ${MAX_EXPAND_PATHS} expand paths`, { expand: `At most ${MAX_EXPAND_PATHS} paths` });
  for (const p of paths) {
    if (p.some((s) => s.trim() === "")) throw new BadRequestError(`Invalid expand path '${p.join(".")}': empty segment`, { expand: "Empty segment" });
    if (p.length > MAX_EXPAND_DEPTH) throw new BadRequestError(`Expand path '${p.join(".")}' is deeper than ${MAX_EXPAND_DEPTH}`, { expand: `At most ${MAX_EXPAND_DEPTH} levels` });
  }
  return paths;
}

function toTree(paths: readonly (readonly string[])[]): PathTree {
  const root: PathTree = { children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const seg of path) {
      let next = node.children.get(seg);
      if (!next) node.children.set(seg, (next = { children: new Map() }));
      node = next;
    }
  }
  return root;
}

type Step = { kind: "forward"; field: FieldDef; target: string } | { kind: "back"; collection: string; field: string };

/** What a segment names on `def`: one of its reference fields, or `<collection>_via_<field>`. */
function resolveStep(ctx: Context, def: CollectionDef, segment: string): Step {
  const field = def.fields.find((f) => f.name === segment);
  if (field?.type === "reference" && field.options.collection) return { kind: "forward", field, target: field.options.collection };
  if (!field) {
    for (let at = segment.indexOf("_via_"); at > 0; at = segment.indexOf("_via_", at + 1)) {
      const other = ctx.services.collections.get(segment.slice(0, at));
      const ref = other?.fields.find((f) => f.name === segment.slice(at + 5));
      if (other && ref?.type === "reference" && !ref.options.multiple && ref.options.collection === def.name) return { kind: "back", collection: other.name, field: ref.name };
    }
  }
  throw new BadRequestError(`Cannot expand '${segment}': not a reference field of '${def.name}' nor a back-relation '<collection>_via_<field>'`, { expand: `Unknown relation '${segment}'` });
}

/** Access refused for a whole collection: that relation is not expanded (other errors propagate). */
async function unlessRefused<T>(load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (e) {
    if (e instanceof ForbiddenError || e instanceof UnauthenticatedError) return undefined;
    throw e;
  }
}

const idsOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : typeof value === "string" ? [value] : []);

async function expandLevel(ctx: Context, def: CollectionDef, records: readonly RecordData[], tree: PathTree): Promise<Map<string, Expansion>> {
  const out = new Map<string, Expansion>(records.map((r) => [r.id, new Map()]));
  for (const [segment, sub] of tree.children) {
    const step = resolveStep(ctx, def, segment);
    if (step.kind === "forward") {
      const ids = [...new Set(records.flatMap((r) => idsOf(r[step.field.name])))];
      const found = ids.length ? await unlessRefused(() => getRecordsByIds(ctx, step.target, ids)) : new Map<string, RecordData>();
      if (!found) continue;
      const nested = await expandLevel(ctx, ctx.services.collections.require(step.target), [...found.values()], sub);
      const wrap = (id: string): ExpandedRecord | null => {
        const rec = found.get(id);
        return rec ? { collection: step.target, record: rec, expand: nested.get(id)! } : null;
      };
      for (const r of records) {
        const value = r[step.field.name];
        out.get(r.id)!.set(segment, step.field.options.multiple ? idsOf(value).flatMap((id) => wrap(id) ?? []) : typeof value === "string" ? wrap(value) : null);
      }
    } else {
      const groups = await unlessRefused(() => listRecordsGrouped(ctx, step.collection, { field: step.field, parents: records.map((r) => r.id), limit: BACK_RELATION_LIMIT }));
      if (!groups) continue;
      const children = [...groups.values()].flatMap((g) => g.items);
      const nested = await expandLevel(ctx, ctx.services.collections.require(step.collection), children, sub);
      for (const r of records)
        out.get(r.id)!.set(
          segment,
          (groups.get(r.id)?.items ?? []).map((c) => ({ collection: step.collection, record: c, expand: nested.get(c.id)! })),
        );
    }
  }
  return out;
}

/**
 * Expands `paths` for records of `collection` (as read by the caller): a map from record id to
 * its expansion. See the module comment for the promises. Throws 400 for an unknown relation.
 * @example expandRecords(ctx, "posts", page.items, parseExpand("author,comments_via_post"))
 */
export async function expandRecords(ctx: Context, collection: string, records: readonly RecordData[], paths: readonly (readonly string[])[]): Promise<Map<string, Expansion>> {
  const def = ctx.services.collections.require(collection);
  if (paths.length === 0) return new Map(records.map((r) => [r.id, new Map()]));
  return expandLevel(ctx, def, records, toTree(paths));
}
