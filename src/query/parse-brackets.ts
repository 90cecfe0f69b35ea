/**
 * R3 CMS bracket filters → the one filter AST:
 *
 *     filters[status][$eq]=published
 *     filters[data.price][$gt]=100
 *     filters[$or][0][status][$eq]=draft&filters[$or][1][status][$eq]=published
 *
 * Twelve operators (`$eq $ne $gt $gte $lt $lte $in $notIn $contains $startsWith $null
 * $notNull`), `$and` / `$or` groups of indexed members, nested. Several conditions at one level
 * are ANDed. Field names are the dialect's; `field` maps each to a collection field (and says
 * whether it holds a list: then the comparison holds when it holds for one element). The result
 * is checked by the collection's field check like every other syntax.
 */
import { FilterError, type CompareOp, type Expr } from "./ast.ts";

/** A dialect field name resolved: the collection field it stands for, and whether it is a list. */
export interface BracketField {
  name: string;
  list: boolean;
}

export interface BracketOptions {
  /** maps an R3 field name (`status`, `data.price`) to a field, or undefined when unknown */
  field: (name: string) => BracketField | undefined;
  /** query parameter holding the filters (default `filters`) */
  param?: string;
}

/** Limits against hostile query strings. */
export const MAX_BRACKET_CONDITIONS = 100;
export const MAX_BRACKET_DEPTH = 8;
const MAX_KEY = 512;
const MAX_VALUE = 4096;
const MAX_INDEX = 999;

const COMPARE: ReadonlyMap<string, CompareOp> = new Map([
  ["$eq", "eq"],
  ["$ne", "ne"],
  ["$gt", "gt"],
  ["$gte", "gte"],
  ["$lt", "lt"],
  ["$lte", "lte"],
  ["$in", "in"],
  ["$notIn", "notIn"],
  ["$contains", "contains"],
  ["$startsWith", "startsWith"],
]);
/** Every operator the syntax has, for messages. */
export const BRACKET_OPERATORS: readonly string[] = [...COMPARE.keys(), "$null", "$notNull"];

type Node = Map<string, Node | string>;

const show = (s: string) => `'${s.length > 60 ? `${s.slice(0, 60)}…` : s}'`;

/** `filters[a][b][c]` → ["a", "b", "c"]; undefined when the key is not a filter key. */
function segments(key: string, param: string): string[] | undefined {
  if (key !== param && !key.startsWith(`${param}[`)) return undefined;
  if (key.length > MAX_KEY) throw new FilterError(`filter key is too long (max ${MAX_KEY} characters)`);
  const out: string[] = [];
  let rest = key.slice(param.length);
  while (rest.length) {
    const m = /^\[([^[\]]*)\]/.exec(rest);
    if (!m) throw new FilterError(`malformed filter key ${show(key)}: expected ${param}[field][$operator]`);
    out.push(m[1]!);
    rest = rest.slice(m[0].length);
  }
  if (out.length === 0) throw new FilterError(`malformed filter key ${show(key)}: expected ${param}[field][$operator]`);
  if (out.length > MAX_BRACKET_DEPTH * 2 + 2) throw new FilterError(`filter is nested too deeply (max ${MAX_BRACKET_DEPTH})`);
  return out;
}

function insert(root: Node, path: string[], value: string, key: string): void {
  let node = root;
  path.forEach((seg, i) => {
    const last = i === path.length - 1;
    const existing = node.get(seg);
    if (last) {
      if (existing !== undefined) throw new FilterError(`filter ${show(key)} is given twice or conflicts with another filter`);
      node.set(seg, value);
      return;
    }
    if (typeof existing === "string") throw new FilterError(`filter ${show(key)} conflicts with another filter`);
    const next: Node = existing ?? new Map();
    node.set(seg, next);
    node = next;
  });
}

/**
 * Parses the filter parameters among `pairs` (decoded query-string pairs, in order; others are
 * ignored) into an expression, or undefined when there is none.
 * @throws FilterError naming the problem: malformed key, unknown field (`unknown field 'x'`),
 *   unknown or empty operator, a bad `$null` value, a group without indexed members, or beyond
 *   the limits ({@link MAX_BRACKET_CONDITIONS} conditions, {@link MAX_BRACKET_DEPTH} levels).
 * @example parseBrackets([["filters[status][$eq]", "published"]], { field: (n) => ({ name: n, list: false }) })
 */
export function parseBrackets(pairs: Iterable<readonly [string, string]>, opts: BracketOptions): Expr | undefined {
  const param = opts.param ?? "filters";
  const root: Node = new Map();
  let count = 0;
  for (const [key, value] of pairs) {
    const path = segments(key, param);
    if (!path) continue;
    if (++count > MAX_BRACKET_CONDITIONS) throw new FilterError(`too many filter conditions (max ${MAX_BRACKET_CONDITIONS})`);
    if (value.length > MAX_VALUE) throw new FilterError(`filter value is too long (max ${MAX_VALUE} characters)`);
    if (value.includes("\u0000")) throw new FilterError("filter values cannot contain NUL characters");
    insert(root, path, value, key);
  }
  if (count === 0) return undefined;
  return group(root, opts, 0);
}

/** A level of conditions: fields and `$and`/`$or` groups, ANDed. */
function group(node: Node, opts: BracketOptions, depth: number): Expr {
  if (depth > MAX_BRACKET_DEPTH) throw new FilterError(`filter is nested too deeply (max ${MAX_BRACKET_DEPTH})`);
  const items: Expr[] = [];
  for (const [key, child] of node) {
    if (key === "$and" || key === "$or") {
      if (typeof child === "string") throw new FilterError(`${key} needs indexed members: ${key}[0][field][$operator]=value`);
      const members = [...child].map(([index, member]) => {
        if (!/^\d+$/.test(index) || Number(index) > MAX_INDEX) throw new FilterError(`${key} members are numbered from 0 (got ${show(index)})`);
        if (typeof member === "string") throw new FilterError(`${key}[${index}] needs a condition: ${key}[${index}][field][$operator]=value`);
        return [Number(index), group(member, opts, depth + 1)] as const;
      });
      members.sort((a, b) => a[0] - b[0]);
      items.push({ kind: key === "$and" ? "and" : "or", items: members.map((m) => m[1]) });
      continue;
    }
    if (key.startsWith("$")) throw new FilterError(`unknown logical operator ${show(key)} (use $and or $or)`);
    items.push(field(key, child, opts));
  }
  return items.length === 1 ? items[0]! : { kind: "and", items };
}

/** The conditions on one field: `[field]=v` (equality) or `[field][$op]=v`, ANDed. */
function field(name: string, child: Node | string, opts: BracketOptions): Expr {
  if (name === "") throw new FilterError("empty field name in filter");
  const f = opts.field(name);
  if (!f) throw new FilterError(`unknown field ${show(name)}`);
  if (typeof child === "string") return condition(f, "$eq", child);
  const items: Expr[] = [];
  for (const [op, value] of child) {
    if (typeof value !== "string") throw new FilterError(`filter on ${show(name)} has too many brackets: expected [${name}][$operator]=value`);
    items.push(condition(f, op, value));
  }
  return items.length === 1 ? items[0]! : { kind: "and", items };
}

function condition(f: BracketField, op: string, raw: string): Expr {
  const left = { kind: "field" as const, name: f.name };
  if (op === "$null" || op === "$notNull") {
    const v = raw.trim().toLowerCase();
    if (v !== "true" && v !== "false") throw new FilterError(`${op} takes true or false (got ${show(raw)})`);
    return { kind: "isNull", operand: left, negate: (op === "$notNull") === (v === "true") };
  }
  if (op === "") throw new FilterError(`empty operator for field ${show(f.name)} (a shell may have expanded '$eq': quote the URL with single quotes)`);
  const cmp = COMPARE.get(op);
  if (!cmp) throw new FilterError(`unknown operator ${show(op)} (allowed: ${BRACKET_OPERATORS.join(", ")})`);
  const value = cmp === "in" || cmp === "notIn" ? raw.split(",").map((s) => s.trim()) : raw;
  if (!f.list) return { kind: "compare", op: cmp, left, right: { kind: "value", value } };
  // a list field: the condition holds for one element; the negative operators for none
  const positive: CompareOp = cmp === "ne" ? "eq" : cmp === "notIn" ? "in" : cmp;
  const any: Expr = { kind: "compare", op: positive, left, right: { kind: "value", value }, any: true };
  return positive === cmp ? any : { kind: "not", expr: any };
}
