/**
 * Cloning: a new record (new id, owner, timestamps, version 1) with the field values of one the
 * caller may view, created through `createRecord` (create rule, field access, validation,
 * events). Unique values are made unique: text gets ` (copy)`, ` (copy 2)`…, a slug-like value
 * (`my-post`) gets `-copy`, `-copy-2`…, an e-mail `name+copy@host`; the first free candidate is
 * found with one query. Other unique values (numbers, dates) are left empty, or the clone is
 * refused (409) when the field is required. File fields share the original's files (the
 * file's reference count grows; deleting one record keeps the file for the other).
 */
import type { CollectionDef, FieldDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { ConflictError } from "../errors.ts";
import { fieldAccess } from "../rules/field-access.ts";
import { getRecord } from "./read.ts";
import { createRecord } from "./write.ts";
import type { RecordData } from "./values.ts";

const CANDIDATES = 50;
const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

/** The candidate values for a unique text value, in order of preference. */
function candidates(f: FieldDef, value: string): string[] {
  const fit = (s: string, suffix: string) => {
    const max = f.options.maxLength;
    return (max !== undefined && s.length + suffix.length > max ? s.slice(0, Math.max(0, max - suffix.length)) : s) + suffix;
  };
  return Array.from({ length: CANDIDATES }, (_, i) => {
    const n = i === 0 ? "" : String(i + 1);
    if (f.type === "email" && value.includes("@")) {
      const at = value.lastIndexOf("@");
      return `${value.slice(0, at)}+copy${n}${value.slice(at)}`;
    }
    if (SLUG.test(value) || f.options.pattern !== undefined) return fit(value, `-copy${n ? `-${n}` : ""}`);
    return fit(value, n ? ` (copy ${n})` : " (copy)");
  });
}

/** The first candidate no record of the account holds (one query). */
async function freeValue(ctx: Context, def: CollectionDef, f: FieldDef, value: string): Promise<string> {
  const { db } = ctx.services;
  const options = candidates(f, value);
  const taken = await db.query<Record<string, unknown>>(db.qb.selectFrom(def.name).select([f.name]).where("account_id", "=", ctx.principal.accountId).where(f.name, "in", options));
  const used = new Set(taken.map((r) => r[f.name]));
  const free = options.find((c) => !used.has(c));
  if (free === undefined) throw new ConflictError(`Cannot clone: no free value for unique field '${f.name}'`, { field: f.name });
  return free;
}

/**
 * Copies record `id` of `collection` under a new id (see the module comment). Returns the clone
 * as the caller may view it.
 * @throws NotFoundError (404) when the record does not exist or the caller may not view it;
 *   401/403 when they may not create; 409 when a required unique value cannot be made unique;
 *   422 when the copy fails validation.
 * @example const copy = await cloneRecord(ctx, "products", "0190…")
 */
export async function cloneRecord(ctx: Context, collection: string, id: string): Promise<RecordData> {
  const def = ctx.services.collections.require(collection);
  const source = await getRecord(ctx, def.name, id);
  const { writable } = fieldAccess(ctx, def, "create", source);
  const data: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const f of def.fields) {
    const v = source[f.name];
    if (v === null || v === undefined || (writable !== "*" && !writable.has(f.name))) continue;
    if (!f.unique) data[f.name] = v;
    else if (typeof v === "string" && (f.type === "text" || f.type === "email" || f.type === "url" || f.type === "textarea")) data[f.name] = await freeValue(ctx, def, f, v);
    else if (f.required) throw new ConflictError(`Cannot clone: required unique field '${f.name}' cannot be copied`, { field: f.name });
  }
  return createRecord(ctx, def.name, { ...data });
}
