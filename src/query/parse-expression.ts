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
import { type CompareOp, type Expr, type Operand, type Scalar } from "./ast.ts";
import { operand as classify, listItem, type WordMode } from "./parse-operand.ts";
import { checkSource, comparison, COMPARE_OPS, isWord, TokenParser, type ParseOptions } from "./token-parser.ts";
import { show, tokenize, type Token } from "./tokenize.ts";

export type { ParseOptions } from "./token-parser.ts";

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
  checkSource(src, options, "filter");
  const parser = new Parser(tokenize(src), options);
  return parser.parse();
}

/** The filter grammar from `unary` down; `expr`/`and`, limits and errors are {@link TokenParser}'s. */
class Parser extends TokenParser {
  constructor(tokens: Token[], options: ParseOptions) {
    super(tokens, options, "expression");
  }

  protected parseUnary(): Expr {
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
    const inner = this.group(t);
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
      any = opTok.text.startsWith("?");
      op = COMPARE_OPS[any ? opTok.text.slice(1) : opTok.text]!;
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
    this.countComparison(leftTok);
    return comparison(op, any, left, right);
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
    if (t.type === "[") return { kind: "value", value: this.list(t) };
    return this.operand(t, leftIsField ? "value" : "fieldIfValid");
  }

  private listOperand(): Operand {
    const t = this.next();
    if (t.type === "[") return { kind: "value", value: this.list(t) };
    if (t.type === "bare" && t.text.startsWith("@request.")) return classify(t, "value", () => null);
    throw this.unexpected(t, "a list '[...]' after 'in'");
  }

  /** The items of the list opened by `open`: literals, a bare word being a string. */
  private list(open: Token): Scalar[] {
    return this.listItems(open, (t) => listItem(t, (name) => this.macro(name)), "a list item");
  }
}
