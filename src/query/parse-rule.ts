/**
 * Access rules → the one filter AST. Two spellings are accepted:
 *
 * - FastCMS/PocketBase (`@request.auth.id = @record.owner_id || status = "published"`): parsed by
 *   `parseExpression`, so everything the filter language has (`?=`, `:lower`, `@now`) works in rules.
 * - SnackBase (compat/snackbase.md §6): `==`/`=`, `!=`, `<` `>` `<=` `>=`, `in`, `not in`, `~`,
 *   `and`/`&&`, `or`/`||`, `not`/`!` before anything, parentheses, lists, `user.id` / `user.email`
 *   / `user.role` / `user.account_id` / `account.id`, `record.<f>` or a bare field, `@request.*`,
 *   `contains(a, b)` / `starts_with` / `ends_with`, and the macros in `rule-macros.ts`
 *   (`@has_role("x")`, `@owns_record()`, …).
 *
 * In both, SnackBase's record names `created_by`, `created_at`, `updated_at` mean Cairn's
 * `owner_id`, `created`, `updated`.
 *
 * `parseRule` picks the syntax: SnackBase when the text has something only SnackBase has
 * (`==`, a call, `user.`/`record.`/`account.` names, `not`, `!` before a non-parenthesis),
 * otherwise FastCMS; when that fails, SnackBase is tried and the FastCMS error is reported if
 * both fail. Caller values become `ctx` operands (`request.auth.id`, …): the rules engine binds
 * them per request, so caller-only parts fold to constants and record parts compile to SQL.
 */
import { FALSE, FilterError, mapOperands, TRUE, type CompareOp, type Expr, type Operand, type Scalar } from "./ast.ts";
import { parseExpression } from "./parse-expression.ts";
import { scalar } from "./parse-operand.ts";
import { ruleMacro, RULE_MACROS } from "./rule-macros.ts";
import { SYSTEM_FIELD_ALIASES } from "./system-fields.ts";
import { checkSource, comparison, COMPARE_OPS, isWord, TokenParser, type ParseOptions } from "./token-parser.ts";
import { show, tokenize, type Token } from "./tokenize.ts";
import { own } from "../lib/own.ts";

/** Which grammar a rule was read with. */
export type RuleSyntax = "fastcms" | "snackbase";

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CTX_PATH = /^@(request(?:\.[A-Za-z0-9_]+)+)$/;
/** SnackBase's caller names → the context paths the binder knows. */
const CALLER: Record<string, string> = {
  "user.id": "request.auth.id",
  "user.email": "request.auth.email",
  "user.role": "request.auth.role",
  "user.account_id": "request.auth.account_id",
  "account.id": "request.auth.account_id",
};
/** SnackBase's record system-field names → Cairn's columns. */
/** SnackBase names of system fields (`created_by` → `owner_id`), from the system-field table. */
const RECORD_ALIASES = SYSTEM_FIELD_ALIASES;
const FUNCTIONS: Record<string, CompareOp> = { contains: "contains", starts_with: "startsWith", ends_with: "endsWith" };
/** SnackBase has no `none`: there it is a plain field name. */
const NULL_WORDS: ReadonlySet<string> = new Set(["null"]);

/**
 * Parses an access rule in either syntax (see the module comment). Blank → TRUE.
 * @throws FilterError with the offending text and its position when the rule parses in neither
 *   syntax, or exceeds the limits (4096 characters, nesting 32, 100 comparisons by default).
 * @example parseRule('@has_role("admin") or @owns_record()')
 */
export function parseRule(src: string, options: ParseOptions = {}): Expr {
  return parseRuleWithSyntax(src, options).expr;
}

/** {@link parseRule}, also telling which syntax was used. */
export function parseRuleWithSyntax(src: string, options: ParseOptions = {}): { expr: Expr; syntax: RuleSyntax } {
  checkSource(src, options, "rule");
  if (src.trim() === "") return { expr: TRUE, syntax: "fastcms" };
  const tokens = tokenize(src);
  if (looksLikeSnackbase(tokens)) return { expr: new RuleParser(tokens, options).parse(), syntax: "snackbase" };
  try {
    return { expr: aliasRecordFields(parseExpression(src, options)), syntax: "fastcms" };
  } catch (fastcmsError) {
    try {
      return { expr: new RuleParser(tokens, options).parse(), syntax: "snackbase" };
    } catch {
      throw fastcmsError;
    }
  }
}

/** Parses the SnackBase rule grammar only (compat/snackbase.md §6). Blank → TRUE. */
export function parseSnackbaseRule(src: string, options: ParseOptions = {}): Expr {
  checkSource(src, options, "rule");
  if (src.trim() === "") return TRUE;
  return new RuleParser(tokenize(src), options).parse();
}

function looksLikeSnackbase(tokens: Token[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (t.type === "op" && t.text === "=" && next?.type === "op" && next.text === "=" && next.pos === t.pos + 1) return true;
    if (t.type === "!" && next?.type !== "(") return true;
    if (t.type !== "bare") continue;
    if (next?.type === "(") return true;
    if (/^(user|account|record)\./i.test(t.text)) return true;
    if (isWord(t, "not") && !isWord(next, "in")) return true;
  }
  return false;
}

/** A parsed atom: an operand (compared later) or a complete boolean expression. */
type Atom = { operand: Operand; token: Token } | { expr: Expr; token: Token };

/** The SnackBase rule grammar from `not` down; `or`/`and`, limits and errors are {@link TokenParser}'s. */
class RuleParser extends TokenParser {
  constructor(tokens: Token[], options: ParseOptions) {
    super(tokens, options, "rule");
  }

  protected parseUnary(): Expr {
    const t = this.peek();
    if (t.type === "!" || isWord(t, "not")) {
      this.next();
      return { kind: "not", expr: this.nested(t, () => this.parseUnary()) };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    const left = this.parseAtom();
    const opTok = this.peek();
    let op: CompareOp;
    let any = false;
    if (opTok.type === "op") {
      this.next();
      const after = this.peek();
      if (opTok.text === "=" && after.type === "op" && after.text === "=" && after.pos === opTok.pos + 1) this.next();
      any = opTok.text.startsWith("?");
      const known = COMPARE_OPS[any ? opTok.text.slice(1) : opTok.text];
      if (!known) throw this.unexpected(opTok, "a comparison operator");
      op = known;
    } else if (isWord(opTok, "in")) {
      this.next();
      op = "in";
    } else if (isWord(opTok, "not") && isWord(this.peek(1), "in")) {
      this.next();
      this.next();
      op = "notIn";
    } else {
      return this.alone(left);
    }
    const right = this.parseAtom();
    if ("expr" in left) throw new FilterError(`${show(left.token.text)} at position ${left.token.pos} is a condition, not a value to compare`, left.token.pos);
    if ("expr" in right) throw new FilterError(`${show(right.token.text)} at position ${right.token.pos} is a condition, not a value to compare`, right.token.pos);
    this.countComparison(left.token);
    return compare(op, any, left.operand, right.operand);
  }

  /** An atom without an operator: a condition, `true`/`false`, or a field/caller value meaning `= true`. */
  private alone(atom: Atom): Expr {
    if ("expr" in atom) return atom.expr;
    const o = atom.operand;
    if (o.kind === "value") {
      if (typeof o.value === "boolean") return o.value ? TRUE : FALSE;
      if (o.value === null) return FALSE;
      throw new FilterError(`${show(atom.token.text)} at position ${atom.token.pos} is not a condition (expected an operator after it)`, atom.token.pos);
    }
    this.countComparison(atom.token);
    return { kind: "compare", op: "eq", left: o, right: { kind: "value", value: true } };
  }

  private parseAtom(): Atom {
    const t = this.next();
    switch (t.type) {
      case "(":
        return { expr: this.group(t), token: t };
      case "[":
        return { operand: { kind: "value", value: this.listItems(t, (w) => this.scalar(w), "a literal value") }, token: t };
      case "string":
        return { operand: { kind: "value", value: t.value! }, token: t };
      case "bare":
        return this.word(t);
      default:
        throw this.unexpected(t, "a value, a field or a condition");
    }
  }

  private word(t: Token): Atom {
    const text = t.text;
    const lower = text.toLowerCase();
    if (this.peek().type === "(") return { expr: this.call(t), token: t };
    const literal = this.scalar(t);
    if (literal !== undefined) return { operand: { kind: "value", value: literal }, token: t };
    if (text.startsWith("@request")) {
      const m = CTX_PATH.exec(text);
      if (!m) throw new FilterError(`invalid request reference ${show(text)} at position ${t.pos}`, t.pos);
      return { operand: { kind: "ctx", path: m[1]! }, token: t };
    }
    if (lower.startsWith("@record.") || lower.startsWith("record.")) return { operand: field(text.slice(text.indexOf(".") + 1), t), token: t };
    const caller = own(CALLER, lower);
    if (caller) return { operand: { kind: "ctx", path: caller }, token: t };
    if (/^(user|account)\./.test(lower)) throw new FilterError(`unknown caller value ${show(text)} at position ${t.pos} (use ${Object.keys(CALLER).join(", ")})`, t.pos);
    if (["and", "or", "not", "in"].includes(lower)) throw this.unexpected(t, "a value, a field or a condition");
    return { operand: field(text, t), token: t };
  }

  /** `name(args)`: a macro (`@has_role("x")`) or a function (`contains(a, b)`). */
  private call(nameTok: Token): Expr {
    const open = this.next();
    const args: Atom[] = [];
    if (this.peek().type === ")") this.next();
    else {
      for (;;) {
        args.push(this.parseAtom());
        const sep = this.next();
        if (sep.type === ")") break;
        if (sep.type !== ",") throw this.unexpected(sep, `',' or ')' in the call at position ${open.pos}`);
      }
    }
    const name = nameTok.text;
    this.countComparison(nameTok);
    if (name.startsWith("@")) {
      const macro = name.slice(1).toLowerCase();
      if (!RULE_MACROS.has(macro)) throw new FilterError(`unknown macro ${show(name)} at position ${nameTok.pos} (known: ${[...RULE_MACROS].map((m) => `@${m}`).join(", ")})`, nameTok.pos);
      const values = args.map((a) => {
        if ("operand" in a && a.operand.kind === "value" && !Array.isArray(a.operand.value)) return a.operand.value;
        throw new FilterError(`arguments of ${show(name)} must be literal values (at position ${a.token.pos})`, a.token.pos);
      });
      return ruleMacro(macro, values, nameTok.pos);
    }
    const op = FUNCTIONS[name.toLowerCase()];
    if (!op) throw new FilterError(`unknown function ${show(name)} at position ${nameTok.pos} (known: ${Object.keys(FUNCTIONS).join(", ")})`, nameTok.pos);
    if (args.length !== 2) throw new FilterError(`${name}() takes 2 arguments, got ${args.length} (at position ${nameTok.pos})`, nameTok.pos);
    const [a, b] = args as [Atom, Atom];
    if ("expr" in a || "expr" in b) throw new FilterError(`arguments of ${name}() must be values or fields (at position ${nameTok.pos})`, nameTok.pos);
    return { kind: "compare", op, left: a.operand, right: b.operand };
  }

  /** Numbers, true/false/null and datetime macros (`@now`); undefined for any other word. */
  private scalar(t: Token): Scalar | undefined {
    // `@request.*` and `@record.*` are references (see `word`), not macros.
    if (t.text.startsWith("@request") || t.text.toLowerCase().startsWith("@record.")) return undefined;
    return scalar(t, (name) => this.macro(name), NULL_WORDS);
  }
}

/** Applies {@link RECORD_ALIASES} to the fields of an expression (SnackBase names in FastCMS syntax). */
function aliasRecordFields(e: Expr): Expr {
  return mapOperands(e, (o) => {
    const to = o.kind === "field" ? RECORD_ALIASES.get(o.name.toLowerCase()) : undefined;
    return to ? { ...o, name: to } : o;
  });
}

function field(name: string, t: Token): Operand {
  if (!IDENT.test(name)) throw new FilterError(`invalid field name ${show(name)} at position ${t.pos}`, t.pos);
  return { kind: "field", name: RECORD_ALIASES.get(name.toLowerCase()) ?? name };
}

/** One comparison node; `= null` / `!= null` become `isNull`, `in null` false and `not in null` true. */
function compare(op: CompareOp, any: boolean, left: Operand, right: Operand): Expr {
  if ((op === "in" || op === "notIn") && right.kind === "value" && right.value === null) return op === "in" ? FALSE : TRUE;
  return comparison(op, any, left, right);
}
