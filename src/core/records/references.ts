/**
 * Reference fields: existence checks on write (one query per referenced collection, for one
 * record or a bulk write of many) and the delete behaviour of records other collections point
 * at (restrict, cascade, set_null, no_action).
 */
import type { SqlDb } from "../../db/sql-db.ts";
import { toSql } from "../../query/to-sql.ts";
import { collectionResolver } from "../../query/fields.ts";
import type { Expr } from "../../query/ast.ts";
import type { CollectionDef, FieldDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import type { CairnEvent } from "../events/bus.ts";
import { recordEvent, type WriteStamp } from "./store.ts";
import { rowMapper, selectColumns, toStorage } from "./values.ts";
import { sql } from "kysely";

const MAX_CASCADE_DEPTH = 5;

function idsOf(f: FieldDef, v: unknown): string[] {
  if (v === null || v === undefined) return [];
  return f.options.multiple ? (v as string[]) : [v as string];
}

/** Throws 422 naming each reference field whose ids do not exist in the referenced collection. */
export async function checkReferences(ctx: Context, db: SqlDb, def: CollectionDef, accountId: string, values: Record<string, unknown>, touched: readonly string[]): Promise<void> {
  const problems: Record<string, string> = {};
  for (const name of touched) {
    const f = def.fields.find((x) => x.name === name);
    if (!f || f.type !== "reference") continue;
    const ids = idsOf(f, values[name]);
    if (ids.length === 0) continue;
    const target = ctx.services.collections.get(f.options.collection ?? "");
    if (!target) {
      problems[name] = `Referenced collection '${f.options.collection}' does not exist`;
      continue;
    }
    const found = new Set((await db.query<{ id: string }>(db.qb.selectFrom(target.name).select("id").where("account_id", "=", accountId).where("id", "in", ids))).map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) problems[name] = `Record${missing.length > 1 ? "s" : ""} ${missing.map((m) => `'${m}'`).join(", ")} not found in '${target.name}'`;
  }
  if (Object.keys(problems).length) throw new ValidationError(`Invalid reference${Object.keys(problems).length > 1 ? "s" : ""}`, problems);
}

/** What one record of a bulk write gives {@link checkReferencesMany}. */
export interface ReferenceInput {
  values: Record<string, unknown>;
  touched: readonly string[];
}

/** Ids per existence query at most (bound parameters stay far below every database's limit). */
const IDS_PER_QUERY = 10_000;

/**
 * {@link checkReferences} for many records at once: one query per referenced collection,
 * whatever the number of records. Throws 422 naming `[index].field` for each record whose ids
 * do not exist.
 */
export async function checkReferencesMany(ctx: Context, db: SqlDb, def: CollectionDef, accountId: string, items: readonly ReferenceInput[]): Promise<void> {
  const refs = def.fields.filter((f) => f.type === "reference");
  if (refs.length === 0) return;
  const wanted = new Map<string, Set<string>>();
  for (const f of refs)
    for (const item of items) {
      if (!item.touched.includes(f.name)) continue;
      const ids = idsOf(f, item.values[f.name]);
      if (ids.length === 0) continue;
      const key = f.options.collection ?? "";
      let set = wanted.get(key);
      if (!set) wanted.set(key, (set = new Set()));
      for (const id of ids) set.add(id);
    }
  const found = new Map<string, Set<string>>();
  for (const [name, ids] of wanted) {
    const target = ctx.services.collections.get(name);
    if (!target) continue;
    const have = new Set<string>();
    const list = [...ids];
    for (let i = 0; i < list.length; i += IDS_PER_QUERY) {
      const rows = await db.query<{ id: string }>(
        db.qb
          .selectFrom(target.name)
          .select("id")
          .where("account_id", "=", accountId)
          .where("id", "in", list.slice(i, i + IDS_PER_QUERY)),
      );
      for (const r of rows) have.add(r.id);
    }
    found.set(name, have);
  }
  const problems: Record<string, string> = {};
  for (const f of refs)
    items.forEach((item, i) => {
      if (!item.touched.includes(f.name)) return;
      const ids = idsOf(f, item.values[f.name]);
      if (ids.length === 0) return;
      const have = found.get(f.options.collection ?? "");
      if (!have) {
        problems[`[${i}].${f.name}`] = `Referenced collection '${f.options.collection}' does not exist`;
        return;
      }
      const missing = ids.filter((id) => !have.has(id));
      if (missing.length)
        problems[`[${i}].${f.name}`] =
          `Record${missing.length > 1 ? "s" : ""} ${missing.map((m) => `'${m}'`).join(", ")} not found in '${ctx.services.collections.get(f.options.collection ?? "")!.name}'`;
    });
  if (Object.keys(problems).length) throw new ValidationError(`Invalid reference${Object.keys(problems).length > 1 ? "s" : ""}`, problems);
}

function referencesTo(ctx: Context, def: CollectionDef): { coll: CollectionDef; field: FieldDef }[] {
  const out: { coll: CollectionDef; field: FieldDef }[] = [];
  const target = def.name.toLowerCase();
  for (const coll of ctx.services.collections.list()) for (const field of coll.fields) if (field.type === "reference" && field.options.collection?.toLowerCase() === target) out.push({ coll, field });
  return out;
}

/**
 * Applies the delete behaviour of every reference pointing at `ids` of `def`, inside the
 * caller's transaction. Returns the events of the records it changed or deleted.
 */
export async function applyDeleteReferences(ctx: Context, tx: SqlDb, def: CollectionDef, accountId: string, ids: readonly string[], stamp: WriteStamp, depth = 0): Promise<CairnEvent[]> {
  const now = stamp.at;
  const events: CairnEvent[] = [];
  for (const { coll, field } of referencesTo(ctx, def)) {
    const mode = field.options.cascadeDelete ?? "set_null";
    if (mode === "no_action") continue;
    const where: Expr = field.options.multiple
      ? { kind: "compare", op: "in", any: true, left: { kind: "field", name: field.name }, right: { kind: "value", value: [...ids] } }
      : { kind: "compare", op: "in", left: { kind: "field", name: field.name }, right: { kind: "value", value: [...ids] } };
    const cond = toSql(where, collectionResolver(coll), tx.dialect);
    const rows = (await tx.query(tx.qb.selectFrom(coll.name).select(selectColumns(coll)).where("account_id", "=", accountId).where(cond))).map(rowMapper(coll, tx.dialect));
    if (rows.length === 0) continue;
    if (mode === "restrict") throw new ConflictError(`Cannot delete: ${rows.length} record(s) in '${coll.name}' reference it through '${field.name}'`, { collection: coll.name, field: field.name });
    if (mode === "cascade") {
      if (depth >= MAX_CASCADE_DEPTH) throw new ConflictError(`Cascade delete deeper than ${MAX_CASCADE_DEPTH} levels`);
      const childIds = rows.map((r) => r.id);
      events.push(...(await applyDeleteReferences(ctx, tx, coll, accountId, childIds, stamp, depth + 1)));
      await tx.execute(tx.qb.deleteFrom(coll.name).where("account_id", "=", accountId).where("id", "in", childIds));
      for (const r of rows) events.push(recordEvent("record.delete", coll, accountId, r, now));
      continue;
    }
    // set_null: single references become null; multiple lose the deleted ids.
    const gone = new Set(ids);
    for (const r of rows) {
      const next = field.options.multiple ? (r[field.name] as string[]).filter((x) => !gone.has(x)) : null;
      await tx.execute(
        tx.qb
          .updateTable(coll.name)
          .set({ [field.name]: toStorage(field, next, tx.dialect), updated: now, updated_by: stamp.by, version: sql`"version" + 1` })
          .where("account_id", "=", accountId)
          .where("id", "=", r.id),
      );
      const after = { ...r, [field.name]: next, updated: now, updated_by: stamp.by, version: r.version + 1 };
      events.push(recordEvent("record.update", coll, accountId, after, now, r));
    }
  }
  return events;
}
