/**
 * Fullfinity request vocabulary → the core's: `q_filter` (Q() syntax), `order_by`
 * (`["name ASC", "created DESC"]`), `fields` (with `price:sum` aggregate specs), `group_by`, and
 * `related` paths (`lines.product`, where a reverse relation may be named by its collection).
 */
import type { CollectionDef } from "../../core/collections/types.ts";
import type { Context } from "../../core/context.ts";
import { BadRequestError } from "../../core/errors.ts";
import { AGGREGATE_FNS, type AggregateFn } from "../../core/records/aggregate.ts";
import { FilterError, type Expr } from "../../query/ast.ts";
import { parseQ } from "../../query/parse-q.ts";

/** `q_filter` text → filter AST; 400 naming the position for a malformed one. */
export function parseQFilter(text: unknown, name = "q_filter"): Expr | undefined {
  if (text === undefined || text === null) return undefined;
  if (typeof text !== "string") throw new BadRequestError(`${name} must be a string such as "Q(active__eq=True)"`, { [name]: "Must be a string" });
  if (text.trim() === "") return undefined;
  try {
    return parseQ(text);
  } catch (e) {
    if (e instanceof FilterError) throw new BadRequestError(`Invalid ${name}: ${e.message}`, { [name]: e.message, ...(e.position !== undefined ? { position: e.position } : {}) });
    throw e;
  }
}

export interface OrderTerm {
  key: string;
  desc: boolean;
}

const ORDER = /^\s*([A-Za-z0-9_]+)(?:\s+(asc|desc))?\s*$/i;

/** `["name ASC", "created DESC"]` or `"name asc, created desc"` → terms; 400 for anything else. */
export function parseOrderBy(value: unknown): OrderTerm[] {
  if (value === undefined || value === null) return [];
  const items = typeof value === "string" ? value.split(",") : Array.isArray(value) && value.every((v) => typeof v === "string") ? (value as string[]) : undefined;
  if (!items) throw new BadRequestError('order_by must be a list such as ["name ASC", "created DESC"]', { order_by: "Must be a list of strings" });
  return items
    .filter((s) => s.trim() !== "")
    .map((s) => {
      const m = ORDER.exec(s);
      if (!m) throw new BadRequestError(`Invalid order_by term '${s.slice(0, 80)}': expected "<field> ASC" or "<field> DESC"`, { order_by: `Invalid term '${s.slice(0, 80)}'` });
      return { key: m[1]!, desc: (m[2] ?? "asc").toLowerCase() === "desc" };
    });
}

/** The terms as the core's sort string (`name,-created`). */
export const sortString = (terms: readonly OrderTerm[]) => terms.map((t) => (t.desc ? `-${t.key}` : t.key)).join(",");

export interface FieldSpec {
  /** plain fields asked for (undefined: every field) */
  plain: string[] | undefined;
  /** `price:sum` → { field: "price", fn: "sum" } */
  aggregates: { field: string; fn: AggregateFn }[];
}

/** `fields` → plain fields and aggregate specs; 400 for a non-list or an unknown function. */
export function parseFields(value: unknown): FieldSpec {
  if (value === undefined || value === null) return { plain: undefined, aggregates: [] };
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw new BadRequestError('fields must be a list of field names such as ["id", "name"]', { fields: "Must be a list of strings" });
  const plain: string[] = [];
  const aggregates: FieldSpec["aggregates"] = [];
  for (const item of value as string[]) {
    const [field, fn, extra] = item.split(":");
    if (fn === undefined) plain.push(item);
    else if (extra === undefined && (AGGREGATE_FNS as readonly string[]).includes(fn)) aggregates.push({ field: field!, fn: fn as AggregateFn });
    else throw new BadRequestError(`Invalid field '${item.slice(0, 80)}': aggregates are written <field>:sum, :avg, :min or :max`, { fields: `Invalid field '${item.slice(0, 80)}'` });
  }
  return { plain: plain.length ? plain : undefined, aggregates };
}

/** `group_by` (a field name or a list of them) → names, or undefined when absent/empty. */
export function parseGroupBy(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || !list.every((v) => typeof v === "string" && v !== ""))
    throw new BadRequestError('group_by must be a field name or a list of them, e.g. ["status"]', { group_by: "Must be a list of field names" });
  return list.length ? (list as string[]) : undefined;
}

/**
 * `related` → expand paths in the core's naming: a segment is a reference field, a back-relation
 * `<collection>_via_<field>`, or a collection whose one reference field points at the model.
 */
export function parseRelated(ctx: Context, def: CollectionDef, value: unknown): string[][] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw new BadRequestError('related must be a list such as ["contact", "lines.product"]', { related: "Must be a list of strings" });
  if (value.length > 20) throw new BadRequestError("related takes at most 20 paths", { related: "At most 20 paths" });
  return (value as string[]).map((path) => {
    let current: CollectionDef | undefined = def;
    return path.split(".").map((segment) => {
      const here: CollectionDef | undefined = current;
      current = undefined;
      if (!here) return segment;
      const own = here.fields.find((f) => f.name === segment);
      if (own) {
        if (own.type === "reference" && own.options.collection) current = ctx.services.collections.get(own.options.collection);
        return segment;
      }
      const other = segment.includes("_via_") ? ctx.services.collections.get(segment.slice(0, segment.indexOf("_via_"))) : ctx.services.collections.get(segment);
      const refs = other?.fields.filter((f) => f.type === "reference" && !f.options.multiple && f.options.collection === here.name) ?? [];
      if (other && !segment.includes("_via_") && refs.length === 1) {
        current = other;
        return `${other.name}_via_${refs[0]!.name}`;
      }
      if (other) current = other;
      return segment; // the core names what it cannot resolve (400)
    });
  });
}
