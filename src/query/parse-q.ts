/**
 * Parser for Fullfinity's Django-style filters (`Q(active__eq=True) & ~Q(name__icontains='x')`),
 * producing the one filter AST. Field names and kinds are not its business (see `checkExpr`);
 * a path through references (`contact__name__icontains='acme'`) becomes the dotted field
 * `contact.name`, which the core resolves before the check (core/records/traverse.ts).
 *
 * Grammar (Python operator precedence: `~` binds tighter than `&`, `&` tighter than `|`):
 *   expr    := and ( '|' and )*
 *   and     := unary ( '&' unary )*
 *   unary   := '~' unary | '(' expr ')' | call
 *   call    := 'Q' '(' [ kwarg ( ',' kwarg )* [','] ] ')'       keyword arguments are ANDed
 *   kwarg   := path '=' literal
 *   path    := name ( '__' name )* [ '__' lookup ]               no lookup: `eq`
 *   lookup  := eq ne gt gte lt lte in contains icontains startswith istartswith endswith
 *              iendswith isnull
 *   literal := True | False | None | string | number | '[' items ']' | '(' items ')'
 *   string  := '…' | "…" with Python escapes (\n \t \\ \' \" \xHH \uHHHH)
 * `contains`, `startswith`, `endswith` match case exactly, their `i` forms fold it (as Django's
 * lookups do); `eq`/`exact` are exact. `isnull` takes True or False; `in` a list or tuple.
 */
import { FilterError, TRUE, and, type CompareOp, type Expr, type Scalar } from "./ast.ts";
import { checkSource, type ParseOptions } from "./token-parser.ts";
import { show } from "./tokenize.ts";

type TokenType = "(" | ")" | "[" | "]" | "," | "=" | "&" | "|" | "~" | "name" | "string" | "number" | "end";

interface Token {
  type: TokenType;
  text: string;
  pos: number;
  value?: string | number;
}

/** Lookups whose substring match is case-sensitive (their `i`-prefixed forms fold case). */
const CASE_SENSITIVE: ReadonlySet<string> = new Set(["contains", "startswith", "endswith"]);

const LOOKUPS: ReadonlyMap<string, CompareOp | "isnull"> = new Map<string, CompareOp | "isnull">([
  ["eq", "eq"],
  ["exact", "eq"],
  ["ne", "ne"],
  ["gt", "gt"],
  ["gte", "gte"],
  ["lt", "lt"],
  ["lte", "lte"],
  ["in", "in"],
  ["contains", "contains"],
  ["icontains", "contains"],
  ["startswith", "startsWith"],
  ["istartswith", "startsWith"],
  ["endswith", "endsWith"],
  ["iendswith", "endsWith"],
  ["isnull", "isnull"],
]);

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
const SEGMENT = /^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*$/;
const MAX_LIST_ITEMS = 1000;

/**
 * Parses a `Q()` expression into the filter AST; an empty (or blank) one is {@link TRUE}.
 * @throws FilterError naming the offending text and its 0-based `position` for every syntax
 *   error: an unknown lookup, a value the lookup cannot take (`isnull='x'`, `in=5`), a bad
 *   literal or escape, an unterminated string, and when the source length, nesting, comparison
 *   count or list size exceed the limits (`options`, as for `parseExpression`).
 * @example parseQ("Q(active__eq=True) & ~Q(contact__name__icontains='acme')")
 */
export function parseQ(src: string, options: ParseOptions = {}): Expr {
  checkSource(src, options, "filter");
  return new QParser(tokenize(src), options).parse();
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if ("()[],=&|~".includes(c)) {
      out.push({ type: c as TokenType, text: c, pos: i++ });
      continue;
    }
    if (c === "'" || c === '"') {
      const [value, end] = readString(src, i);
      out.push({ type: "string", text: src.slice(i, end), pos: i, value });
      i = end;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(src);
    if (name) {
      out.push({ type: "name", text: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(src);
    if (num) {
      const text = num[0];
      const n = Number(text.replace(/_/g, ""));
      if (text.includes("__") || text.endsWith("_") || !Number.isFinite(n)) throw new FilterError(`invalid number ${show(text)} at position ${i}`, i);
      out.push({ type: "number", text, pos: i, value: n });
      i += text.length;
      continue;
    }
    throw new FilterError(`unexpected character ${show(c)} at position ${i}`, i);
  }
  out.push({ type: "end", text: "", pos: src.length });
  return out;
}

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", t: "\t", r: "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"', "\n": "" };

/** A Python string literal starting at `start`: its value and the offset after it. */
function readString(src: string, start: number): [string, number] {
  const quote = src[start]!;
  let out = "";
  let i = start + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === quote) return [out, i + 1];
    if (c === "\n") break;
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const e = src[i + 1];
    if (e === undefined) break;
    if (e === "x" || e === "u") {
      const hex = src.slice(i + 2, i + 2 + (e === "x" ? 2 : 4));
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== (e === "x" ? 2 : 4)) throw new FilterError(`invalid escape ${show(src.slice(i, i + 6))} at position ${i}`, i);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2 + hex.length;
    } else if (e in ESCAPES) {
      out += ESCAPES[e];
      i += 2;
    } else {
      out += `\\${e}`; // Python keeps unknown escapes as written
      i += 2;
    }
  }
  throw new FilterError(`unterminated string starting at position ${start}`, start);
}

class QParser {
  private i = 0;
  private depth = 0;
  private comparisons = 0;
  private readonly maxDepth: number;
  private readonly maxComparisons: number;

  constructor(
    private readonly tokens: Token[],
    options: ParseOptions,
  ) {
    this.maxDepth = Math.min(options.maxDepth ?? 32, 1000);
    this.maxComparisons = options.maxComparisons ?? 100;
  }

  parse(): Expr {
    if (this.peek().type === "end") return TRUE;
    const e = this.or();
    const t = this.peek();
    if (t.type !== "end") throw this.unexpected(t, "'&', '|' or the end");
    return e;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    const t = this.tokens[this.i]!;
    if (t.type !== "end") this.i++;
    return t;
  }

  private unexpected(t: Token, expected: string): FilterError {
    const what = t.type === "end" ? "end of filter" : show(t.text);
    return new FilterError(`unexpected ${what} at position ${t.pos} (expected ${expected})`, t.pos);
  }

  private expect(type: TokenType, expected: string): Token {
    const t = this.next();
    if (t.type !== type) throw this.unexpected(t, expected);
    return t;
  }

  private deeper<T>(t: Token, fn: () => T): T {
    if (++this.depth > this.maxDepth) throw new FilterError(`filter nested too deeply at position ${t.pos} (max ${this.maxDepth})`, t.pos);
    const out = fn();
    this.depth--;
    return out;
  }

  private or(): Expr {
    const items = [this.and()];
    while (this.peek().type === "|") {
      this.next();
      items.push(this.and());
    }
    return items.length === 1 ? items[0]! : { kind: "or", items };
  }

  private and(): Expr {
    const items = [this.unary()];
    while (this.peek().type === "&") {
      this.next();
      items.push(this.unary());
    }
    return items.length === 1 ? items[0]! : { kind: "and", items };
  }

  private unary(): Expr {
    const t = this.next();
    if (t.type === "~") return this.deeper(t, () => ({ kind: "not", expr: this.unary() }));
    if (t.type === "(") {
      return this.deeper(t, () => {
        const inner = this.or();
        const close = this.next();
        if (close.type !== ")") throw this.unexpected(close, `')' to close '(' at position ${t.pos}`);
        return inner;
      });
    }
    if (t.type === "name" && t.text === "Q") return this.call(t);
    throw this.unexpected(t, "'Q(', '~' or '('");
  }

  private call(q: Token): Expr {
    this.expect("(", "'(' after 'Q'");
    const parts: Expr[] = [];
    while (this.peek().type !== ")") {
      parts.push(this.kwarg());
      const sep = this.peek();
      if (sep.type === ",") this.next();
      else if (sep.type !== ")") throw this.unexpected(sep, `',' or ')' to close 'Q(' at position ${q.pos}`);
    }
    this.next();
    return parts.length === 0 ? TRUE : parts.length === 1 ? parts[0]! : and(...parts);
  }

  private kwarg(): Expr {
    const nameTok = this.expect("name", "a field lookup such as name__icontains");
    if (++this.comparisons > this.maxComparisons) throw new FilterError(`too many comparisons at position ${nameTok.pos} (max ${this.maxComparisons})`, nameTok.pos);
    const segments = nameTok.text.split("__");
    if (segments.some((s) => !SEGMENT.test(s))) throw new FilterError(`invalid field path ${show(nameTok.text)} at position ${nameTok.pos}`, nameTok.pos);
    const last = segments[segments.length - 1]!;
    const lookup = segments.length > 1 ? LOOKUPS.get(last) : undefined;
    const path = lookup ? segments.slice(0, -1) : segments;
    const field = { kind: "field" as const, name: path.join(".") };
    this.expect("=", `'=' after ${show(nameTok.text)}`);
    const valueTok = this.peek();
    const value = this.literal();
    const op = lookup ?? "eq";
    if (op === "isnull") {
      if (typeof value !== "boolean") throw new FilterError(`lookup 'isnull' takes True or False at position ${valueTok.pos}`, valueTok.pos);
      return { kind: "isNull", operand: field, negate: !value };
    }
    if (op === "in") {
      if (!Array.isArray(value)) throw new FilterError(`lookup 'in' takes a list or tuple at position ${valueTok.pos}`, valueTok.pos);
      return { kind: "compare", op: "in", left: field, right: { kind: "value", value } };
    }
    if (Array.isArray(value)) throw new FilterError(`lookup '${lookup ? last : "eq"}' cannot take a list at position ${valueTok.pos}`, valueTok.pos);
    if (value === null) {
      if (op === "eq" || op === "ne") return { kind: "isNull", operand: field, negate: op === "ne" };
      throw new FilterError(`lookup '${last}' cannot take None at position ${valueTok.pos}`, valueTok.pos);
    }
    if (lookup && CASE_SENSITIVE.has(last)) return { kind: "compare", op, left: field, right: { kind: "value", value }, caseSensitive: true };
    return { kind: "compare", op, left: field, right: { kind: "value", value } };
  }

  private literal(): Scalar | Scalar[] {
    const t = this.next();
    if (t.type === "[" || t.type === "(") return this.list(t);
    return this.scalar(t);
  }

  private scalar(t: Token): Scalar {
    if (t.type === "string" || t.type === "number") return t.value!;
    if (t.type === "name") {
      if (t.text === "True") return true;
      if (t.text === "False") return false;
      if (t.text === "None") return null;
    }
    throw this.unexpected(t, "a value: True, False, None, a string, a number, a list or a tuple");
  }

  private list(open: Token): Scalar[] {
    const close = open.type === "[" ? "]" : ")";
    const items: Scalar[] = [];
    while (this.peek().type !== close) {
      if (items.length >= MAX_LIST_ITEMS) throw new FilterError(`list has too many items at position ${this.peek().pos} (max ${MAX_LIST_ITEMS})`, this.peek().pos);
      items.push(this.scalar(this.next()));
      const sep = this.peek();
      if (sep.type === ",") this.next();
      else if (sep.type !== close) throw this.unexpected(sep, `',' or '${close}' in the list at position ${open.pos}`);
    }
    this.next();
    return items;
  }
}
