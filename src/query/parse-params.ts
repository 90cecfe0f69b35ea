/**
 * SnackBase list filters (compat/snackbase.md §3): every query parameter that is not one of the
 * list's own (`skip`, `limit`, `sort`, `fields`) is an equality filter on the field it names,
 * `?status=draft&published=true`. Values are typed by the field — booleans from `true`/`false`,
 * numbers compared numerically, dates and datetimes as instants — and a repeated parameter
 * (`?status=draft&status=published`) means any of its values. A list field (tags, multi-select,
 * multi-reference, file) matches when one of its elements equals the value.
 *
 * Unlike upstream SnackBase, which ignores names it does not know, an unknown field is an error
 * (400 naming it). The SnackBase names of the system fields (`created_at`, `updated_at`,
 * `created_by`) resolve to Cairn's columns (query/system-fields.ts aliases).
 *
 * The result is the one filter AST; `checkExpr` (called by the core list) checks it again and
 * compiles it like any other filter.
 */
import { FilterError, type Expr, type Scalar } from "./ast.ts";
import { coerceLiteral } from "./coerce.ts";
import type { ColumnInfo, FieldResolver } from "./fields.ts";
import { SYSTEM_FIELD_ALIASES } from "./system-fields.ts";

/** Limits on hostile input. */
export const MAX_PARAM_FILTERS = 20;
export const MAX_PARAM_VALUES = 100;
export const MAX_PARAM_VALUE_LENGTH = 1000;
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/** A query string as Fastify parses it: one string, or a list for a repeated parameter. */
export type QueryParams = Readonly<Record<string, unknown>>;

/**
 * The resolver with the SnackBase spellings of the system fields (`created_at` → `created`,
 * `created_by` → `owner_id`, `updated_at` → `updated`) in front of `resolve`.
 */
export function withSystemAliases(resolve: FieldResolver): FieldResolver {
  return (name) => resolve(name) ?? (SYSTEM_FIELD_ALIASES.has(name.toLowerCase()) ? resolve(SYSTEM_FIELD_ALIASES.get(name.toLowerCase())!) : undefined);
}

function typed(info: ColumnInfo, name: string, raw: string): Scalar {
  if (raw.length > MAX_PARAM_VALUE_LENGTH) throw new FilterError(`value of '${name}' is too long (max ${MAX_PARAM_VALUE_LENGTH} characters)`);
  // list elements are strings (tags, ids); JSON values cannot be compared for equality portably
  if (info.list || info.kind === "text") return coerceLiteral("text", raw, name);
  if (info.kind === "json") throw new FilterError(`field '${name}' cannot be filtered by value (json)`);
  if (raw.trim() === "") throw new FilterError(`empty value for field '${name}'`);
  return coerceLiteral(info.kind, raw, name);
}

/**
 * Turns the filter parameters of `params` (every key but those in `reserved`) into an AND of
 * equalities, or `undefined` when there are none.
 * @throws FilterError naming the parameter: an unknown or unfilterable field, a value that does
 *   not fit the field's type (`invalid number 'abc' for field 'views'`), a JSON field, a
 *   non-string value, or more than {@link MAX_PARAM_FILTERS} filters / {@link MAX_PARAM_VALUES}
 *   values of one filter / {@link MAX_PARAM_VALUE_LENGTH} characters in a value.
 * @example parseParams({ status: "draft", views: "10", limit: "5" }, resolve, new Set(["limit"]))
 *   // and(status = 'draft', views = 10)
 */
export function parseParams(params: QueryParams, resolve: FieldResolver, reserved: ReadonlySet<string> = new Set()): Expr | undefined {
  const names = Object.keys(params).filter((k) => !reserved.has(k));
  if (names.length > MAX_PARAM_FILTERS) throw new FilterError(`too many filter parameters (max ${MAX_PARAM_FILTERS})`);
  const resolveAliased = withSystemAliases(resolve);
  const items: Expr[] = [];
  for (const name of names) {
    const info = NAME.test(name) ? resolveAliased(name) : undefined;
    if (!info) throw new FilterError(`unknown field '${name.slice(0, 100)}'`);
    const raw = params[name];
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length === 0 || values.length > MAX_PARAM_VALUES) throw new FilterError(`between 1 and ${MAX_PARAM_VALUES} values are allowed for '${name}'`);
    if (!values.every((v): v is string => typeof v === "string")) throw new FilterError(`value of '${name}' must be text`);
    const literals = [...new Set(values.map((v) => typed(info, name, v)))];
    const left = { kind: "field" as const, name: info.name };
    const any = info.list ? { any: true } : {};
    items.push(
      literals.length === 1
        ? { kind: "compare", op: "eq", left, right: { kind: "value", value: literals[0]! }, ...any }
        : info.list
          ? { kind: "or", items: literals.map((v) => ({ kind: "compare" as const, op: "eq" as const, left, right: { kind: "value" as const, value: v }, any: true })) }
          : { kind: "compare", op: "in", left, right: { kind: "value", value: literals } },
    );
  }
  if (items.length === 0) return undefined;
  return items.length === 1 ? items[0] : { kind: "and", items };
}
