/**
 * Parser for the FastCMS/PocketBase filter expression language
 * (`status = "published" && (views > 10 || tags ?= "news")`), producing the one filter AST.
 *
 * Grammar (keywords case-insensitive, whitespace free):
 *   expr     := and ( ('||' | 'or') and )*
 *   and      := unary ( ('&&' | 'and') unary )*
 *   unary    := '!'* '(' expr ')' | compare
 *   compare  := operand OP operand | operand ['not'] 'in' list
 *   operand  := field[:lower|:upper|:length] | @record.field | @request.path | value
 * A bare word is a field on the left. On the right it is a string value (`status = draft`),
 * unless the left side is not a field (`@request.auth.id = owner_id`, `10 < views`): then a word
 * that is a valid field name is a field.
 *   value    := "str" | 'str' | number | true | false | null | none | @macro | bare-word
 *   list     := '[' [value (',' value)*] ']'
 */
import { FilterError, TRUE, type CompareOp, type Expr, type Operand, type Scalar } from "./ast.ts";
import { resolveMacro } from "./datetime-macros.ts";
import { operand as classify, listItem, type WordMode } from "./parse-operand.ts";
import { show, tokenize, type Token } from "./tokenize.ts";

/** Limits and clock for {@link parseExpression}. */
export interface ParseOptions {
  /** maximum source length in characters (default 4096) */
  maxLength?: number;
  /** maximum nesting of parentheses and `!` (default 32, capped at 1000) */
  maxDepth?: number;
  /** maximum number of comparisons (default 100) */
  maxComparisons?: number;
  /** clock for the datetime macros (`@now`, `@todayStart`, …); default `new Date()` */
  now?: () => Date;
}

const OPS: Record<string, { op: CompareOp; any: boolean }> = {};
for (const [sym, op] of [
  ["=", "eq"],
  ["!=", "ne"],
  [">", "gt"],
  [">=", "gte"],
  ["<", "lt"],
  ["<=", "lte"],
  ["~", "contains"],
  ["!~", "notContains"],
] as const) {
  OPS[sym] = { op, any: false };
  OPS[`?${sym}`] = { op, any: true };
}

const isWord = (t: Token, word: string) => t.type === "bare" && t.text.toLowerCase() === word;

/**
 * Parses a FastCMS/PocketBase filter expression into the filter AST. An empty (or blank)
 * expression is {@link TRUE}. Datetime macros are resolved here, with `options.now`.
 * `field = null` becomes `isNull`, `field != null` `isNull` with `negate`; `x in [..]` /
 * `x not in [..]` become `in`/`notIn`; `@request.*` becomes a `ctx` operand to bind later.
 * Field names are not checked here (see `checkExpr`).
 * @throws FilterError with a message quoting the offending text and its 0-based `position`,
 *   for any syntax error, and when the source, nesting or comparison count exceed the limits.
 * @example parseExpression('views > 10 && title ~ "cms"')
 */
export function parseExpression(src: string, options: ParseOptions = {}): Expr {
  if (typeof src !== "string") throw new FilterError("filter must be a string");
  const maxLength = options.maxLength ?? 4096;
  if (src.length > maxLength) {
    throw new FilterError(`filter is too long (${src.length} characters, max ${maxLength})`, maxLength);
  }
  const parser = new Parser(tokenize(src), options);
  return parser.parse();
}

class Parser {
  private i = 0;
  private depth = 0;
  private comparisons = 0;
  private readonly maxDepth: number;
  private readonly maxComparisons: number;
  private nowValue: Date | undefined;

  constructor(
    private readonly tokens: Token[],
    private readonly options: ParseOptions,
  ) {
    this.maxDepth = Math.min(options.maxDepth ?? 32, 1000);
    this.maxComparisons = options.maxComparisons ?? 100;
  }

  parse(): Expr {
    if (this.peek().type === "end") return TRUE;
    const expr = this.parseOr();
    const t = this.peek();
    if (t.type !== "end") throw this.unexpected(t);
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    const t = this.tokens[this.i]!;
    if (t.type !== "end") this.i++;
    return t;
  }

  private unexpected(t: Token, expected?: string): FilterError {
    const what = t.type === "end" ? "end of expression" : show(t.text);
    const hint = expected ? ` (expected ${expected})` : "";
    return new FilterError(`unexpected ${what} at position ${t.pos}${hint}`, t.pos);
  }

  private parseOr(): Expr {
    const items = [this.parseAnd()];
    while (this.peek().type === "||" || isWord(this.peek(), "or")) {
      this.next();
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0]! : { kind: "or", items };
  }

  private parseAnd(): Expr {
    const items = [this.parseUnary()];
    while (this.peek().type === "&&" || isWord(this.peek(), "and")) {
      this.next();
      items.push(this.parseUnary());
    }
    return items.length === 1 ? items[0]! : { kind: "and", items };
  }

  private parseUnary(): Expr {
    // `!` may only precede a parenthesised group; a run of them collapses by parity.
    let negations = 0;
    while (this.peek().type === "!") {
      this.next();
      negations++;
    }
    const t = this.peek();
    if (negations > 0 && t.type !== "(") throw this.unexpected(t, "'(' after '!'");
    if (t.type !== "(") return this.parseComparison();
    this.next();
    if (++this.depth > this.maxDepth) {
      throw new FilterError(`expression nested too deeply at position ${t.pos} (max ${this.maxDepth})`, t.pos);
    }
    const inner = this.parseOr();
    const close = this.next();
    if (close.type !== ")") throw this.unexpected(close, `')' to close '(' at position ${t.pos}`);
    this.depth--;
    return negations % 2 === 1 ? { kind: "not", expr: inner } : inner;
  }

  private parseComparison(): Expr {
    const leftTok = this.next();
    const left = this.operand(leftTok, "field");
    const opTok = this.peek();
    let op: CompareOp;
    let any = false;
    let right: Operand;
    if (opTok.type === "op") {
      this.next();
      ({ op, any } = OPS[opTok.text]!);
      right = this.rightOperand(opTok, left.kind === "field");
    } else if (isWord(opTok, "in") || isWord(opTok, "not")) {
      this.next();
      if (isWord(opTok, "not")) {
        const inTok = this.next();
        if (!isWord(inTok, "in")) throw this.unexpected(inTok, "'in' after 'not'");
      }
      op = isWord(opTok, "in") ? "in" : "notIn";
      right = this.listOperand();
    } else {
      const after = `an operator after ${show(leftTok.text)}`;
      throw this.unexpected(opTok, after);
    }
    if (++this.comparisons > this.maxComparisons) {
      throw new FilterError(
        `too many comparisons at position ${leftTok.pos} (max ${this.maxComparisons})`,
        leftTok.pos,
      );
    }
    return build(op, any, left, right);
  }

  private operand(t: Token, words: WordMode): Operand {
    if (t.type === "string") return { kind: "value", value: t.value! };
    if (t.type !== "bare") throw this.unexpected(t, words === "field" ? "a field or value" : "a value");
    return classify(t, words, (name) => this.macro(name));
  }

  /** The right side: a bare word facing a non-field (`@request.auth.id = owner_id`) is a field. */
  private rightOperand(opTok: Token, leftIsField: boolean): Operand {
    const t = this.next();
    if (t.type === "end") throw this.unexpected(t, `a value after ${show(opTok.text)}`);
    if (t.type === "[") return { kind: "value", value: this.listItems(t) };
    return this.operand(t, leftIsField ? "value" : "fieldIfValid");
  }

  private listOperand(): Operand {
    const t = this.next();
    if (t.type === "[") return { kind: "value", value: this.listItems(t) };
    if (t.type === "bare" && t.text.startsWith("@request.")) return classify(t, "value", () => null);
    throw this.unexpected(t, "a list '[...]' after 'in'");
  }

  /** Reads list items after the opening `[` token `open`. */
  private listItems(open: Token): Scalar[] {
    const items: Scalar[] = [];
    if (this.peek().type === "]") {
      this.next();
      return items;
    }
    for (;;) {
      const t = this.next();
      if (t.type === "string") items.push(t.value!);
      else if (t.type === "bare") items.push(listItem(t, (name) => this.macro(name)));
      else throw this.unexpected(t, `a list item in the list at position ${open.pos}`);
      const sep = this.next();
      if (sep.type === "]") return items;
      if (sep.type !== ",") throw this.unexpected(sep, `',' or ']' in the list at position ${open.pos}`);
    }
  }

  private macro(name: string): string | null | undefined {
    this.nowValue ??= this.options.now ? this.options.now() : new Date();
    return resolveMacro(name, this.nowValue);
  }
}

/** Builds the AST node of one comparison (null comparisons become `isNull`). */
function build(op: CompareOp, any: boolean, left: Operand, right: Operand): Expr {
  if (!any && (op === "eq" || op === "ne")) {
    const isNullValue = (o: Operand) => o.kind === "value" && o.value === null;
    if (isNullValue(right)) return { kind: "isNull", operand: left, negate: op === "ne" };
    if (isNullValue(left)) return { kind: "isNull", operand: right, negate: op === "ne" };
  }
  return any ? { kind: "compare", op, left, right, any } : { kind: "compare", op, left, right };
}
