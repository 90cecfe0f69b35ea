/**
 * Field-level permissions: which fields a caller may read and write, taken from the grant that
 * decides their access (role permission `fields`, or the collection options `list_fields`,
 * `view_fields`, `create_fields`, `update_fields` when the collection's own rule decides).
 * System fields (`id`, `owner_id`, `created`, `updated`, `version`) are always readable.
 *
 * Reads drop unreadable fields from every record handed out (`redactRecord`); filters, sorts
 * and searches that touch an unreadable field are refused (they would leak its values through
 * which rows match); writes to an unwritable field are refused with 422 `Field access denied`.
 */
import type { Expr } from "../../query/ast.ts";
import type { SortTerm } from "../../query/sort.ts";
import type { RecordAction } from "../auth/guards.ts";
import { SEARCHABLE_TYPES, type CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { AppError } from "../errors.ts";
import { RECORD_SYSTEM_FIELDS, type RecordData } from "../records/values.ts";
import { auditDenial, grantFor } from "./access.ts";

export type FieldSet = "*" | ReadonlySet<string>;

export interface FieldAccess {
  /** fields the caller may read (system fields are always readable) */
  readable: FieldSet;
  /** fields the caller may write with `action` (empty for list/view/delete) */
  writable: FieldSet;
}

const SYSTEM: ReadonlySet<string> = new Set(RECORD_SYSTEM_FIELDS);
const NONE: ReadonlySet<string> = new Set();

/**
 * What `ctx` may read and write on `def` for `action`. Readable fields come from the list grant
 * for `list` and from the view grant otherwise (a write's answer shows what the caller could
 * view; nothing but system fields when they cannot view the record at all). Pass the
 * create/update body as `data` when rules read `@request.data`. Never throws.
 */
export function fieldAccess(ctx: Context, def: CollectionDef, action: RecordAction, data?: unknown): FieldAccess {
  const read = grantFor(ctx, def, action === "list" ? "list" : "view");
  const readable = read.expr.kind === "const" && !read.expr.value ? NONE : read.fields;
  let writable: FieldSet = NONE;
  if (action === "create" || action === "update") {
    const write = grantFor(ctx, def, action, data);
    writable = write.expr.kind === "const" && !write.expr.value ? NONE : write.fields;
  }
  return { readable, writable };
}

/** True when `field` is readable under `readable` (system fields always are). */
export function isReadable(readable: FieldSet, field: string): boolean {
  return readable === "*" || SYSTEM.has(field) || readable.has(field);
}

/**
 * A copy of `rec` without the fields outside `readable` (the same object when all are readable).
 * Subscription delivery calls this with `fieldAccess(ctx, def, "view").readable` of the
 * subscriber, so events carry no more than a query would.
 */
export function redactRecord<T extends RecordData>(rec: T, readable: FieldSet): T {
  if (readable === "*") return rec;
  const out = {} as T;
  for (const k in rec) if (SYSTEM.has(k) || readable.has(k)) (out as Record<string, unknown>)[k] = rec[k];
  return out;
}

/** Names of the fields an expression compares (before or after `checkExpr`). */
export function exprFields(expr: Expr, into: Set<string> = new Set()): Set<string> {
  switch (expr.kind) {
    case "and":
    case "or":
      for (const e of expr.items) exprFields(e, into);
      break;
    case "not":
      exprFields(expr.expr, into);
      break;
    case "compare":
      if (expr.left.kind === "field") into.add(expr.left.name.split(".")[0]!);
      if (expr.right.kind === "field") into.add(expr.right.name.split(".")[0]!);
      break;
    case "isNull":
    case "inSelect":
      if (expr.operand.kind === "field") into.add(expr.operand.name.split(".")[0]!);
      break;
  }
  return into;
}

export interface QueryShape {
  filter?: Expr;
  sort?: readonly SortTerm[];
  /** a full-text search matches every searchable field, so all of them must be readable */
  search?: boolean;
}

/**
 * Refuses a caller's filter, sort or search that touches a field outside `readable`: 403
 * `Field access denied` with `details.unauthorized_fields` (audited). Unknown names are left to
 * the field check (400). Subscriptions call this with the subscriber's `where`.
 * @throws AppError FORBIDDEN
 */
export function assertReadableQuery(ctx: Context, def: CollectionDef, readable: FieldSet, q: QueryShape): void {
  if (readable === "*") return;
  const used = q.filter ? exprFields(q.filter) : new Set<string>();
  for (const t of q.sort ?? []) if ("name" in t) used.add(t.name);
  if (q.search) for (const f of def.fields) if (SEARCHABLE_TYPES.has(f.type)) used.add(f.name);
  const known = new Set(def.fields.map((f) => f.name));
  const denied = [...used].filter((f) => known.has(f) && !isReadable(readable, f));
  if (denied.length === 0) return;
  const message = `Field access denied: cannot filter, sort or search on ${denied.map((f) => `'${f}'`).join(", ")}`;
  auditDenial(ctx, def, "list", message, { details: { unauthorized_fields: denied } });
  throw new AppError("FORBIDDEN", 403, message, { unauthorized_fields: denied });
}

/**
 * Refuses a create/update body that sets a field outside `writable` (increments `views+` count
 * as `views`): 422 `Field access denied` naming them in `details.unauthorized_fields` (audited).
 * Unknown keys are left to the input check (400).
 * @throws AppError VALIDATION_ERROR
 */
export function assertWritable(ctx: Context, def: CollectionDef, data: unknown, writable: FieldSet, action: "create" | "update"): void {
  if (writable === "*" || typeof data !== "object" || data === null || Array.isArray(data)) return;
  const known = new Set(def.fields.map((f) => f.name));
  const denied: string[] = [];
  for (const key of Object.keys(data)) {
    const name = known.has(key) ? key : /^(.+)[+-]$/.exec(key)?.[1];
    if (name !== undefined && known.has(name) && !writable.has(name) && !denied.includes(name)) denied.push(name);
  }
  if (denied.length === 0) return;
  auditDenial(ctx, def, action, "Field access denied", { details: { unauthorized_fields: denied } });
  throw new AppError("VALIDATION_ERROR", 422, "Field access denied", { unauthorized_fields: denied });
}
