/**
 * Compiles a checked filter AST to an in-memory predicate with exactly the semantics of the SQL
 * `toSql` emits (used for realtime subscriptions, rule checks on a single record, and tests).
 */
import { FilterError, type Expr, type Literal, type Operand } from "./ast.ts";
import type { FieldResolver } from "./fields.ts";
import { anyElementTyping, asciiLower, asciiUpper, codePointLength, matchPair, matchValue } from "./match.ts";
import type { StorageKind } from "./field-kinds.ts";

type Rec = Record<string, unknown>;
type Pred = (record: Rec) => boolean;
type Getter = (record: Rec) => unknown;
type FieldOperand = Extract<Operand, { kind: "field" }>;

/**
 * Builds `(record) => boolean` for a checked expression (see `checkExpr`). `record` holds
 * API-shaped values keyed by field name: bool → boolean, number → number, datetime → ISO string,
 * date → `YYYY-MM-DD`, json → parsed value (a string is a JSON string), plus the system fields
 * `id`, `owner_id`, `created`, `updated`, `version`; a missing key counts as null.
 * Case-insensitive matching folds ASCII letters only (SQLite's behaviour); non-ASCII case folding
 * follows the database in SQL (PostgreSQL ILIKE/lower() fold them, this predicate does not).
 * @throws FilterError when the expression was not checked.
 * @example toPredicate(checkExpr(parseExpression("views > 10"), resolve), resolve)({ views: 12 }) // true
 */
export function toPredicate(expr: Expr, resolve: FieldResolver): (record: Record<string, unknown>) => boolean {
  return compile(expr, resolve);
}

function unchecked(): FilterError {
  return new FilterError("filter expression must be checked (checkExpr) before it is compiled");
}

function compile(e: Expr, resolve: FieldResolver): Pred {
  switch (e.kind) {
    case "const": {
      const value = e.value;
      return () => value;
    }
    case "and": {
      const preds = e.items.map((item) => compile(item, resolve));
      return (r) => preds.every((p) => p(r));
    }
    case "or": {
      const preds = e.items.map((item) => compile(item, resolve));
      return (r) => preds.some((p) => p(r));
    }
    case "not": {
      const inner = compile(e.expr, resolve);
      return (r) => !inner(r);
    }
    case "isNull": {
      if (e.operand.kind !== "field") throw unchecked();
      const get = getter(e.operand, resolve).get;
      return e.negate ? (r) => get(r) != null : (r) => get(r) == null;
    }
    case "inSelect":
      throw new FilterError("a filter through a reference runs in SQL only");
    case "compare": {
      if (e.left.kind !== "field") throw unchecked();
      const l = getter(e.left, resolve);
      const op = e.op;
      if (e.right.kind === "field") {
        const right = getter(e.right, resolve).get;
        if (l.kind === "json") throw unchecked();
        const kind = l.kind;
        return (r) => matchPair(op, kind, l.get(r), right(r));
      }
      if (e.right.kind !== "value") throw unchecked();
      const value = e.right.value;
      const exact = !!e.caseSensitive;
      if (e.any) return anyElement(op, l.get, value, exact);
      if (l.kind === "json") throw unchecked();
      const kind = l.kind;
      return (r) => matchValue(op, kind, l.get(r), value, exact);
    }
  }
}

/** Reads a field (with its modifier) from a record; only own properties count. */
function getter(o: FieldOperand, resolve: FieldResolver): { get: Getter; kind: StorageKind } {
  const info = resolve(o.name);
  if (!info) throw new FilterError(`unknown field '${o.name}'`);
  const key = info.name;
  const raw: Getter = (r) => (Object.hasOwn(r, key) ? (r[key] ?? null) : null);
  switch (o.modifier) {
    case "lower":
    case "upper": {
      const fold = o.modifier === "lower" ? asciiLower : asciiUpper;
      return { get: (r) => ((v) => (typeof v === "string" ? fold(v) : null))(raw(r)), kind: "text" };
    }
    case "length":
      if (info.list) {
        return { get: (r) => ((v) => (Array.isArray(v) ? v.length : 0))(raw(r)), kind: "number" };
      }
      return { get: (r) => ((v) => (typeof v === "string" ? codePointLength(v) : 0))(raw(r)), kind: "number" };
    default:
      return { get: raw, kind: info.kind };
  }
}

/** The `?`-operators over a JSON array value; same element typing as `toSql`. */
function anyElement(op: Extract<Expr, { kind: "compare" }>["op"], get: Getter, v: Literal, caseSensitive: boolean): Pred {
  const { numeric, kind, value } = anyElementTyping(op, v);
  const elementType = numeric ? "number" : "string";
  return (r) => {
    const list = get(r);
    if (!Array.isArray(list)) return false;
    return list.some((el) => typeof el === elementType && matchValue(op, kind, el, value, caseSensitive));
  };
}
