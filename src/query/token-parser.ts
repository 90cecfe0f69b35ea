/**
 * What the two hand-written parsers of the filter AST share: the FastCMS/PocketBase filter
 * language (`parse-expression.ts`) and the SnackBase rule grammar (`parse-rule.ts`). Both read
 * the tokens of `tokenize.ts`, report `unexpected …` errors with a position, keep the same limits
 * (nesting, comparisons, source length), resolve datetime macros with one clock per parse, and
 * share the two lowest-precedence levels:
 *
 *   or   := and ( ('||' | 'or') and )*
 *   and  := unary ( ('&&' | 'and') unary )*
 *
 * A grammar subclasses {@link TokenParser} and states the rest from `unary` down.
 */
import { FilterError, TRUE, type CompareOp, type Expr, type Operand, type Scalar } from "./ast.ts";
import { resolveMacro } from "./datetime-macros.ts";
import { show, type Token } from "./tokenize.ts";

/** Limits and clock for `parseExpression` and `parseRule`. */
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

/** The comparison operator symbols both grammars know; a leading `?` (the "any" form) is stripped first. */
export const COMPARE_OPS: Readonly<Record<string, CompareOp>> = {
  "=": "eq",
  "!=": "ne",
  ">": "gt",
  ">=": "gte",
  "<": "lt",
  "<=": "lte",
  "~": "contains",
  "!~": "notContains",
};

/** True when `t` is the bare word `word` (given in lower case; keywords are case-insensitive). */
export const isWord = (t: Token | undefined, word: string): boolean => t?.type === "bare" && t.text.toLowerCase() === word;

/**
 * Checks the raw source before it is tokenized; `noun` names it in the messages.
 * @throws FilterError `<noun> must be a string`, or `<noun> is too long (N characters, max M)`
 *   with position M when it is longer than `options.maxLength` (default 4096).
 */
export function checkSource(src: unknown, options: ParseOptions, noun: "filter" | "rule"): asserts src is string {
  if (typeof src !== "string") throw new FilterError(`${noun} must be a string`);
  const maxLength = options.maxLength ?? 4096;
  if (src.length > maxLength) {
    throw new FilterError(`${noun} is too long (${src.length} characters, max ${maxLength})`, maxLength);
  }
}

/**
 * The AST node of one comparison: `= null` / `!= null` (either side) become `isNull`, and `any`
 * is only set when true.
 */
export function comparison(op: CompareOp, any: boolean, left: Operand, right: Operand): Expr {
  if (!any && (op === "eq" || op === "ne")) {
    const isNullValue = (o: Operand) => o.kind === "value" && o.value === null;
    if (isNullValue(right)) return { kind: "isNull", operand: left, negate: op === "ne" };
    if (isNullValue(left)) return { kind: "isNull", operand: right, negate: op === "ne" };
  }
  return any ? { kind: "compare", op, left, right, any } : { kind: "compare", op, left, right };
}

/**
 * A recursive-descent parser over one token list (which ends with an `end` token). Errors are
 * FilterErrors quoting the offending token and its 0-based position; `noun` ("expression",
 * "rule") names the source in them: `unexpected end of rule at position 4`, `expression nested
 * too deeply at position 32 (max 32)`.
 */
export abstract class TokenParser {
  private i = 0;
  private depth = 0;
  private comparisons = 0;
  private readonly maxDepth: number;
  private readonly maxComparisons: number;
  private nowValue: Date | undefined;

  constructor(
    private readonly tokens: Token[],
    private readonly options: ParseOptions,
    private readonly noun: "expression" | "rule",
  ) {
    this.maxDepth = Math.min(options.maxDepth ?? 32, 1000);
    this.maxComparisons = options.maxComparisons ?? 100;
  }

  /**
   * The whole token list as one expression; no tokens is {@link TRUE}.
   * @throws FilterError for a syntax error or an exceeded limit.
   */
  parse(): Expr {
    if (this.peek().type === "end") return TRUE;
    const expr = this.parseOr();
    const t = this.peek();
    if (t.type !== "end") throw this.unexpected(t);
    return expr;
  }

  /** The grammar's level below `and`: negation, groups, comparisons. */
  protected abstract parseUnary(): Expr;

  /** The token `offset` ahead of the cursor (the `end` token past the end). */
  protected peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  /** The token at the cursor, moving past it (never past `end`). */
  protected next(): Token {
    const t = this.tokens[this.i]!;
    if (t.type !== "end") this.i++;
    return t;
  }

  protected unexpected(t: Token, expected?: string): FilterError {
    const what = t.type === "end" ? `end of ${this.noun}` : show(t.text);
    const hint = expected ? ` (expected ${expected})` : "";
    return new FilterError(`unexpected ${what} at position ${t.pos}${hint}`, t.pos);
  }

  protected parseOr(): Expr {
    const items = [this.parseAnd()];
    while (this.peek().type === "||" || isWord(this.peek(), "or")) {
      this.next();
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0]! : { kind: "or", items };
  }

  protected parseAnd(): Expr {
    const items = [this.parseUnary()];
    while (this.peek().type === "&&" || isWord(this.peek(), "and")) {
      this.next();
      items.push(this.parseUnary());
    }
    return items.length === 1 ? items[0]! : { kind: "and", items };
  }

  /** Runs `parse` one nesting level deeper than `t` (a `(` or a negation). */
  protected nested(t: Token, parse: () => Expr): Expr {
    if (++this.depth > this.maxDepth) {
      throw new FilterError(`${this.noun} nested too deeply at position ${t.pos} (max ${this.maxDepth})`, t.pos);
    }
    const inner = parse();
    this.depth--;
    return inner;
  }

  /** `expr )` after the opening `(` token `open`. */
  protected group(open: Token): Expr {
    return this.nested(open, () => {
      const inner = this.parseOr();
      const close = this.next();
      if (close.type !== ")") throw this.unexpected(close, `')' to close '(' at position ${open.pos}`);
      return inner;
    });
  }

  /** Counts one comparison, starting at token `t`, against the limit. */
  protected countComparison(t: Token): void {
    if (++this.comparisons > this.maxComparisons) {
      throw new FilterError(`too many comparisons at position ${t.pos} (max ${this.maxComparisons})`, t.pos);
    }
  }

  /**
   * Reads list items after the opening `[` token `open`: a string token is its value, a bare
   * word what `word` makes of it; anything else (or `undefined` from `word`) is unexpected,
   * expecting `expected` ("a list item") in the list.
   */
  protected listItems(open: Token, word: (t: Token) => Scalar | undefined, expected: string): Scalar[] {
    const items: Scalar[] = [];
    if (this.peek().type === "]") {
      this.next();
      return items;
    }
    for (;;) {
      const t = this.next();
      const item = t.type === "string" ? t.value! : t.type === "bare" ? word(t) : undefined;
      if (item === undefined) throw this.unexpected(t, `${expected} in the list at position ${open.pos}`);
      items.push(item);
      const sep = this.next();
      if (sep.type === "]") return items;
      if (sep.type !== ",") throw this.unexpected(sep, `',' or ']' in the list at position ${open.pos}`);
    }
  }

  /** A datetime macro (name without `@`) at this parse's clock, read once (see `resolveMacro`). */
  protected macro(name: string): string | null | undefined {
    this.nowValue ??= this.options.now ? this.options.now() : new Date();
    return resolveMacro(name, this.nowValue);
  }
}
