/**
 * `validate-rule` and `test-rule` (compat/snackbase.md §5), superadmin only: check a rule's
 * syntax (and fields, given a collection), and evaluate it for a sample caller and record with
 * the same binder and predicate compiler the engine uses.
 */
import { FilterError, type Expr } from "../../query/ast.ts";
import { collectionResolver, type ColumnInfo, type FieldResolver } from "../../query/fields.ts";
import { parseRule } from "../../query/parse-rule.ts";
import { toPredicate } from "../../query/predicate.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context, Principal } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { bindAndCheck, requestLookup } from "./bind-rule.ts";
import { ruleProblem } from "./validate-rule.ts";
import { SYSTEM_FIELD_ALIASES } from "../../query/system-fields.ts";
import { RECORD_SYSTEM_FIELDS } from "../records/values.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function readRule(body: unknown): { rule: string; body: Obj } {
  if (!isObj(body) || typeof body.rule !== "string") throw new ValidationError("rule must be a string", { rule: "must be a string" });
  return { rule: body.rule, body };
}

function collectionOf(ctx: Context, body: Obj): CollectionDef | undefined {
  if (body.collection === undefined || body.collection === null || body.collection === "*") return undefined;
  if (typeof body.collection !== "string") throw new ValidationError("collection must be a collection name", { collection: "must be a string" });
  const def = ctx.services.collections.get(body.collection);
  if (!def) throw new NotFoundError(`Collection '${body.collection}' not found`);
  return def;
}

/**
 * `{rule, collection?}` → `{valid: true}` or `{valid: false, error, position?}`. With a collection
 * the rule's fields are checked too.
 * @throws 401/403, 404 (collection), 422 (rule not a string)
 */
export function validateRule(ctx: Context, body: unknown): { valid: boolean; error?: string; position?: number } {
  requireSuperadmin(ctx);
  const { rule, body: b } = readRule(body);
  const def = collectionOf(ctx, b);
  const problem = ruleProblem(rule, def);
  if (!problem) return { valid: true };
  const position = /at position (\d+)/.exec(problem)?.[1];
  return position !== undefined ? { valid: false, error: problem, position: Number(position) } : { valid: false, error: problem };
}

/** A resolver for a sample record without a collection: each key typed by its JSON value. */
function sampleResolver(record: Obj): FieldResolver {
  return (name) => {
    if (!Object.hasOwn(record, name) && !RECORD_SYSTEM_FIELDS.includes(name)) return undefined;
    const v = record[name];
    const info = (kind: ColumnInfo["kind"], list = false): ColumnInfo => ({ name, column: name, kind, list, fieldType: "system" });
    if (typeof v === "number") return info("number");
    if (typeof v === "boolean") return info("bool");
    if (Array.isArray(v)) return info("json", true);
    if (isObj(v)) return info("json");
    return info("text");
  };
}

/**
 * Evaluates `rule` for `context.user` (`{id, email, role, account_id}`; absent = anonymous),
 * `context.record` (field values; with `collection` they are checked against its fields) and
 * `context.data` (the request body, `@request.data.*`). Never throws for a bad rule: it answers
 * `{allowed: false, error}`.
 * @throws 401/403, 404 (collection), 422 (rule not a string)
 * @example testRule(ctx, { rule: "@owns_record()", context: { user: { id: "u1" }, record: { created_by: "u1" } } })
 */
export function testRule(ctx: Context, body: unknown): { allowed: boolean; evaluation_details: string; error?: string } {
  requireSuperadmin(ctx);
  const { rule, body: b } = readRule(body);
  const def = collectionOf(ctx, b);
  const context = isObj(b.context) ? b.context : {};
  const user = isObj(context.user) ? context.user : undefined;
  const record: Obj = { ...(isObj(context.record) ? context.record : {}) };
  for (const [from, to] of SYSTEM_FIELD_ALIASES) {
    if (Object.hasOwn(record, from) && !Object.hasOwn(record, to)) record[to] = record[from];
  }
  const str = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "");
  const principal: Principal = user
    ? { kind: "user", userId: str(user.id), accountId: str(user.account_id) || ctx.principal.accountId, email: str(user.email), role: str(user.role) || "user", superadmin: false }
    : { kind: "anonymous", accountId: ctx.principal.accountId };
  const sample: Context = { ...ctx, principal, request: { method: "POST", query: {}, headers: {}, ip: "" } };
  try {
    const resolve = def ? collectionResolver(def) : sampleResolver(record);
    const expr: Expr = bindAndCheck(parseRule(rule, { now: ctx.services.now }), requestLookup(sample, context.data), resolve);
    const allowed = expr.kind === "const" ? expr.value : toPredicate(expr, resolve)(record);
    return { allowed, evaluation_details: `Rule evaluated to: ${allowed}` };
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    return { allowed: false, evaluation_details: "Rule evaluation failed", error: e.message };
  }
}
