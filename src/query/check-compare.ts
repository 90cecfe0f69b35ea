/**
 * The field check of one comparison (see check.ts): operand resolution, operator/kind rules,
 * literal coercion and constant folding.
 */
import { FALSE, FilterError, TRUE, type CompareOp, type Expr, type Literal, type Operand, type Scalar } from "./ast.ts";
import { coerceLiteral } from "./coerce.ts";
import type { ColumnInfo, FieldResolver } from "./fields.ts";
import { matchValue, type ScalarKind } from "./match.ts";
import type { StorageKind } from "./field-kinds.ts";

type Compare = Extract<Expr, { kind: "compare" }>;
type FieldOperand = Extract<Operand, { kind: "field" }>;

/** A field operand with what the check learned about it. */
export interface ResolvedOperand {
  operand: FieldOperand;
  info: ColumnInfo;
  /** storage kind after the modifier (`:length` → number) */
  kind: StorageKind;
  /** still a JSON array after the modifier */
  list: boolean;
}

const SYMBOL: Record<CompareOp, string> = {
  eq: "=",
  ne: "!=",
  gt: ">",
  gte: ">=",
  lt: "<",
  lte: "<=",
  contains: "~",
  notContains: "!~",
  startsWith: "startsWith",
  endsWith: "endsWith",
  in: "in",
  notIn: "not in",
};
const MIRROR: Partial<Record<CompareOp, CompareOp>> = { eq: "eq", ne: "ne", gt: "lt", gte: "lte", lt: "gt", lte: "gte" };
const ORDERED = new Set<CompareOp>(["eq", "ne", "gt", "gte", "lt", "lte", "in", "notIn"]);
const ALLOWED: Record<ScalarKind, ReadonlySet<CompareOp>> = {
  text: new Set(Object.keys(SYMBOL) as CompareOp[]),
  number: ORDERED,
  date: ORDERED,
  datetime: ORDERED,
  bool: new Set<CompareOp>(["eq", "ne", "in", "notIn"]),
};

const opName = (op: CompareOp, any?: boolean) => `'${any ? "?" : ""}${SYMBOL[op]}'`;

/** The error for a `@request…` operand that reached the check unbound. */
export function unbound(path: string): FilterError {
  return new FilterError(`context value '@${path}' must be bound before the filter is checked`);
}

/**
 * Resolves a field operand and validates its modifier.
 * @throws FilterError `unknown field 'x'`, relation paths, modifiers the field's kind lacks.
 */
export function resolveOperand(o: FieldOperand, resolve: FieldResolver): ResolvedOperand {
  const info = o.name.includes(".") ? undefined : resolve(o.name);
  if (!info) {
    const head = o.name.split(".")[0]!;
    if (head !== o.name && resolve(head)) {
      throw new FilterError(`filtering through relations ('${o.name}') is not supported`);
    }
    throw new FilterError(`unknown field '${o.name}'`);
  }
  const operand: FieldOperand = o.modifier ? { kind: "field", name: info.name, modifier: o.modifier } : { kind: "field", name: info.name };
  if (!o.modifier) return { operand, info, kind: info.kind, list: info.list };
  if (o.modifier === "length") {
    if (!info.list && info.kind !== "text") {
      throw new FilterError(`modifier ':length' needs a text or list field; '${info.name}' is ${info.kind}`);
    }
    return { operand, info, kind: "number", list: false };
  }
  if (info.list || info.kind !== "text") {
    const what = info.list ? "a list" : info.kind;
    throw new FilterError(`modifier ':${o.modifier}' needs a text field; '${info.name}' is ${what}`);
  }
  return { operand, info, kind: "text", list: false };
}

const SUBSTRING = new Set<CompareOp>(["contains", "notContains", "startsWith", "endsWith"]);

/** Checks one comparison; returns the checked node, an `isNull`, or a constant. */
export function checkCompare(e: Compare, resolve: FieldResolver): Expr {
  const checked = checkComparison(e, resolve);
  // case sensitivity only means something to the substring operators; kept on them alone
  if (e.caseSensitive && checked.kind === "compare" && SUBSTRING.has(checked.op)) return { ...checked, caseSensitive: true };
  return checked;
}

function checkComparison(e: Compare, resolve: FieldResolver): Expr {
  let { op, left, right } = e;
  const any = !!e.any;
  if (left.kind === "ctx") throw unbound(left.path);
  if (right.kind === "ctx") throw unbound(right.path);
  if (left.kind === "value" && right.kind === "field") {
    const mirrored = MIRROR[op];
    if (!mirrored) throw new FilterError(`the left side of ${opName(op, any)} must be a field`);
    [left, right, op] = [right, left, mirrored];
  }
  if (left.kind === "value" && right.kind === "value") return foldValues(op, any, left.value, right.value, !!e.caseSensitive);
  if (left.kind !== "field") throw new FilterError(`the left side of ${opName(op, any)} must be a field`);
  const l = resolveOperand(left, resolve);
  if (right.kind === "field") return checkPair(op, any, l, resolveOperand(right, resolve));
  return checkLiteral(op, any, l, right.value);
}

function checkPair(op: CompareOp, any: boolean, l: ResolvedOperand, r: ResolvedOperand): Expr {
  const describe = (o: ResolvedOperand) => `field '${o.info.name}' (${o.list ? "list" : o.kind})`;
  if (any || l.list || r.list || l.kind === "json" || r.kind === "json" || l.kind !== r.kind) {
    throw new FilterError(`cannot compare ${describe(l)} with ${describe(r)} using ${opName(op, any)}`);
  }
  const allowed = l.kind === "bool" ? ["eq", "ne"] : ["eq", "ne", "gt", "gte", "lt", "lte"];
  if (!allowed.includes(op)) {
    throw new FilterError(`operator ${opName(op)} cannot compare two fields ('${l.info.name}', '${r.info.name}')`);
  }
  return { kind: "compare", op, left: l.operand, right: r.operand };
}

function checkLiteral(op: CompareOp, any: boolean, l: ResolvedOperand, value: Literal): Expr {
  const name = l.info.name;
  if (value === null) {
    if ((op === "eq" || op === "ne") && !any) return { kind: "isNull", operand: l.operand, negate: op === "ne" };
    throw new FilterError(`cannot compare field '${name}' with null using ${opName(op, any)}`);
  }
  if (Array.isArray(value)) {
    if (op === "eq") op = "in";
    else if (op === "ne") op = "notIn";
    else if (op !== "in" && op !== "notIn") {
      throw new FilterError(`operator ${opName(op, any)} cannot take a list (field '${name}')`);
    }
  }
  let kind: ScalarKind;
  if (any) {
    if (!l.list) throw new FilterError(`operator ${opName(op, any)} needs a list field; '${name}' is not a list`);
    kind = "text"; // list fields hold arrays of strings (tags, file ids, select values, record ids)
  } else if (l.list) {
    throw new FilterError(`field '${name}' is a list: use an any-operator such as '?=' or '?~', or ':length' (got ${opName(op)})`);
  } else if (l.kind === "json") {
    throw new FilterError(`field '${name}' (json) can only be compared with null`);
  } else {
    kind = l.kind;
  }
  if (!ALLOWED[kind].has(op)) {
    throw new FilterError(`operator ${opName(op, any)} is not supported for ${kind} field '${name}'`);
  }
  let coerced: Literal;
  if (op === "in" || op === "notIn") {
    const items = Array.isArray(value) ? value : [value];
    // list elements are never null, so null items can only matter without `any`
    coerced = items.filter((v) => !(any && v === null)).map((v) => coerceLiteral(kind, v, name));
  } else {
    coerced = coerceLiteral(kind, value as Scalar, name);
  }
  const node: Compare = { kind: "compare", op, left: l.operand, right: { kind: "value", value: coerced } };
  if (any) node.any = true;
  return node;
}

/** Folds a comparison of two literals (typically after context binding) into a constant. */
function foldValues(op: CompareOp, any: boolean, left: Literal, right: Literal, caseSensitive: boolean): Expr {
  const lefts: Scalar[] = any ? (Array.isArray(left) ? left : [left]) : [left as Scalar];
  if (!any && Array.isArray(left)) throw new FilterError(`the left side of ${opName(op)} cannot be a list`);
  if (Array.isArray(right)) {
    if (op === "eq") op = "in";
    else if (op === "ne") op = "notIn";
    else if (op !== "in" && op !== "notIn") throw new FilterError(`operator ${opName(op, any)} cannot take a list`);
  }
  const probe = (Array.isArray(right) ? right : [right]).find((v) => v !== null) ?? null;
  const kind: ScalarKind = typeof probe === "number" ? "number" : typeof probe === "boolean" ? "bool" : "text";
  const negative = op === "ne" || op === "notContains" || op === "notIn";
  const test = (v: Scalar): boolean => {
    if (right === null) {
      if (op === "eq" || op === "ne") return (v === null) === (op === "eq");
      return false;
    }
    let a: Scalar;
    try {
      a = coerceLiteral(kind, v, "value");
    } catch {
      return negative; // not comparable: "not equal", never "equal"
    }
    return matchValue(op, kind, a, right, caseSensitive);
  };
  return lefts.some(test) ? TRUE : FALSE;
}
