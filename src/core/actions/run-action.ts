/**
 * Running a declared action (definitions.ts) on records: the inputs are checked against the
 * action's schema (defaults applied), every record must pass the update rule and the action's
 * own rule, then the effects run in order, per record, in one transaction with their outbox
 * rows — all or nothing. Values go through the same input checks, field access and reference
 * checks as any write; events reach subscribers and webhooks after commit.
 */
import { v7 as uuidv7 } from "uuid";
import { TRUE, type Expr } from "../../query/ast.ts";
import { collectionResolver } from "../../query/fields.ts";
import { toPredicate } from "../../query/predicate.ts";
import type { SqlDb } from "../../db/sql-db.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { BadRequestError, NotFoundError } from "../errors.ts";
import type { CairnEvent } from "../events/bus.ts";
import { prepareInput } from "../records/input.ts";
import { checkReferences } from "../records/references.ts";
import { insertRecord, mapConstraintError, recordEvent, selectByIds, updateRecords } from "../records/store.ts";
import { writerOf } from "../records/writer.ts";
import type { RecordData } from "../records/values.ts";
import { checkIds, emitWrite } from "../records/write.ts";
import { prepareContentCreate, prepareContentUpdate } from "../content/write-hooks.ts";
import { accessDenied, recordAccess } from "../rules/access.ts";
import { boundRule } from "../rules/bind-rule.ts";
import { assertWritable, fieldAccess } from "../rules/field-access.ts";
import { requireAction, type ActionDef, type ValueSource } from "./definitions.ts";
import { evaluate } from "./evaluate.ts";

export interface ActionOutcome {
  /** ids of the records the action changed, in request order */
  updated: string[];
  /** records it created */
  created: { collection: string; id: string }[];
}

/**
 * The inputs after the action's schema: defaults applied, unknown inputs refused.
 * @throws BadRequestError (400) naming every failing input.
 */
export function checkInputs(action: ActionDef, inputs: unknown): Record<string, unknown> {
  const value = inputs === undefined || inputs === null ? {} : inputs;
  if (typeof value !== "object" || Array.isArray(value)) throw new BadRequestError("inputs must be an object", { inputs: "Must be an object" });
  const copy = structuredClone(value) as Record<string, unknown>;
  if (action.validate(copy)) return copy;
  const problems: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const e of action.validate.errors ?? []) {
    const name =
      e.keyword === "required"
        ? (e.params as { missingProperty: string }).missingProperty
        : e.keyword === "additionalProperties"
          ? (e.params as { additionalProperty: string }).additionalProperty
          : e.instancePath.slice(1).replace(/\//g, ".");
    problems[name || "inputs"] = e.keyword === "additionalProperties" ? "unknown input" : (e.message ?? "invalid");
  }
  const summary = Object.entries(problems)
    .map(([k, v]) => `${k} ${v}`)
    .join("; ");
  throw new BadRequestError(`Invalid inputs for action '${action.name}': ${summary}`, problems);
}

const values = (sources: Map<string, ValueSource>, input: Record<string, unknown>, record: RecordData): Record<string, unknown> => {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [field, source] of sources) out[field] = evaluate(source, { input, record });
  return { ...out };
};

async function createRelated(ctx: Context, tx: SqlDb, target: CollectionDef, data: Record<string, unknown>, ts: string, events: CairnEvent[]): Promise<string> {
  const accountId = ctx.principal.accountId;
  const access = recordAccess(ctx, target, "create", data);
  assertWritable(ctx, target, data, fieldAccess(ctx, target, "create", data).writable, "create");
  const { values: prepared, touched } = prepareInput(target, data, "create");
  const rec: RecordData = { id: uuidv7(), owner_id: writerOf(ctx), created: ts, updated: ts, version: 1, updated_by: writerOf(ctx), ...prepared };
  if (!(access.kind === "const" && access.value) && !toPredicate(access, collectionResolver(target))(rec)) throw accessDenied(ctx, target, "create");
  await checkReferences(ctx, tx, target, accountId, prepared, touched.concat(target.fields.filter((f) => f.default !== undefined).map((f) => f.name)));
  await prepareContentCreate(ctx, tx, target, rec);
  await insertRecord(tx, target, accountId, rec).catch((e) => mapConstraintError(target, e));
  events.push(recordEvent("record.create", target, accountId, rec, ts));
  return rec.id;
}

/**
 * Runs action `name` of `collection` on `ids` with `inputs` (see the module comment).
 * @throws NotFoundError (404) for an undeclared action or a missing record; BadRequestError (400)
 *   for inputs that fail the schema, a bad id list or a malformed declaration; 401/403 when the
 *   update rule or the action's rule refuses a record (`details.forbidden_ids`); 422/409 when a
 *   value fails a field's checks or a unique constraint. Nothing is written then.
 * @example await runAction(ctx, "orders", "confirm", [id], { note: "ok" })
 */
export async function runAction(ctx: Context, collection: string, name: string, ids: unknown, inputs: unknown): Promise<ActionOutcome> {
  const { db, collections, now } = ctx.services;
  const def = collections.require(collection);
  const action = requireAction(def, name, (c) => collections.get(c));
  const input = checkInputs(action, inputs);
  let list: string[];
  try {
    list = checkIds(ids);
  } catch {
    throw new BadRequestError("ids must be a list of 1 to 100 record ids", { ids: "Must be a list of 1 to 100 record ids" });
  }
  const access = recordAccess(ctx, def, "update");
  const rule: Expr = action.rule ? boundRule(ctx, def, action.rule) : TRUE;
  const resolve = collectionResolver(def);
  const allowed = [access, rule].filter((e) => !(e.kind === "const" && e.value)).map((e) => toPredicate(e, resolve));
  const accountId = ctx.principal.accountId;
  return db.transaction(async (tx) => {
    const rows = await selectByIds(tx, def, accountId, list, true);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const missing = list.filter((id) => !byId.has(id));
    if (missing.length) throw new NotFoundError(`Record${missing.length > 1 ? "s" : ""} ${missing.map((id) => `'${id}'`).join(", ")} not found in '${def.name}'`);
    const forbidden = list.filter((id) => allowed.some((ok) => !ok(byId.get(id)!)));
    if (forbidden.length) throw accessDenied(ctx, def, "update", { details: { forbidden_ids: forbidden, action: name } });
    const ts = now().toISOString();
    const events: CairnEvent[] = [];
    const created: ActionOutcome["created"] = [];
    const changed = new Map<string, RecordData>();
    for (const id of list) {
      let current = byId.get(id)!;
      for (const effect of action.effects) {
        if (effect.kind === "create") {
          const target = collections.require(effect.collection);
          created.push({ collection: target.name, id: await createRelated(ctx, tx, target, values(effect.values, input, current), ts, events) });
          continue;
        }
        const data = values(effect.values, input, current);
        assertWritable(ctx, def, data, fieldAccess(ctx, def, "update", data).writable, "update");
        const prepared = prepareInput(def, data, "patch", current);
        await checkReferences(ctx, tx, def, accountId, prepared.values, prepared.touched);
        await prepareContentUpdate(ctx, tx, def, current, prepared.values, prepared.touched);
        await updateRecords(tx, def, accountId, [id], prepared.values, [...new Set(prepared.touched)], { at: ts, by: writerOf(ctx) }).catch((e) => mapConstraintError(def, e));
        current = { ...current, ...prepared.values, updated: ts, updated_by: writerOf(ctx), version: current.version + 1 };
        changed.set(id, current);
      }
    }
    for (const [id, rec] of changed) events.push(recordEvent("record.update", def, accountId, rec, ts, byId.get(id)));
    await emitWrite(ctx, tx, events);
    return { updated: list.filter((id) => changed.has(id)), created };
  });
}
