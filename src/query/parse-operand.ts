/**
 * What a bare word means in the FastCMS/PocketBase expression language: a field (left side),
 * a `@record.`/`@request.` reference, a datetime macro, or a literal value. The literal words
 * ({@link scalar}) are shared with the SnackBase rule parser.
 */
import { FilterError, type Operand, type Scalar } from "./ast.ts";
import { show, type Token } from "./tokenize.ts";

/** Resolves a macro name (without `@`): ISO string, `null` when out of range, `undefined` if unknown. */
export type MacroResolver = (name: string) => string | null | undefined;

const NUMBER = /^-?\d+(?:\.\d+)?$/;
const FIELD = /^([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)(?::([A-Za-z]+))?$/;
const CTX_PATH = /^@(request(?:\.[A-Za-z0-9_]+)+)$/;
const MODIFIERS = new Set(["lower", "upper", "length"]);
/** The words that mean null in the filter language. */
const NULL_WORDS: ReadonlySet<string> = new Set(["null", "none"]);

/**
 * How a plain word (not a literal, macro or `@` reference) is read: always a field (left side),
 * a field when it is a valid field name (right side facing a non-field), or a string value.
 */
export type WordMode = "field" | "fieldIfValid" | "value";

/**
 * The operand a bare token stands for (see {@link WordMode}); `@record.x` is always a field and
 * `@request.x` a context reference.
 * @throws FilterError for an invalid field name, modifier, context path or unknown macro.
 */
export function operand(t: Token, words: WordMode, macro: MacroResolver): Operand {
  const text = t.text;
  if (text.startsWith("@request")) {
    const m = CTX_PATH.exec(text);
    if (!m) throw new FilterError(`invalid request reference ${show(text)} at position ${t.pos}`, t.pos);
    return { kind: "ctx", path: m[1]! };
  }
  if (text.startsWith("@record.")) return field(text.slice("@record.".length), t);
  const literal = scalar(t, macro);
  if (literal !== undefined) return { kind: "value", value: literal };
  if (words === "field" || (words === "fieldIfValid" && FIELD.test(text))) return field(text, t);
  return { kind: "value", value: text };
}

/**
 * A list item: a literal only (no fields or request references).
 * @throws FilterError for `@record.`/`@request.` references and unknown macros.
 */
export function listItem(t: Token, macro: MacroResolver): Scalar {
  if (t.text.startsWith("@record") || t.text.startsWith("@request")) {
    throw new FilterError(`list items must be values, not ${show(t.text)} at position ${t.pos}`, t.pos);
  }
  const literal = scalar(t, macro);
  return literal === undefined ? t.text : literal;
}

/**
 * The literal a bare word stands for: a number, `true`/`false` (any case), null for the words in
 * `nulls` (lower case; default `null` and `none`), or a `@macro` resolved by `macro`;
 * `undefined` for any other word.
 * @throws FilterError for a number out of range, an unknown macro or a date out of range.
 */
export function scalar(t: Token, macro: MacroResolver, nulls: ReadonlySet<string> = NULL_WORDS): Scalar | undefined {
  const text = t.text;
  if (NUMBER.test(text)) {
    const n = Number(text);
    if (!Number.isFinite(n)) throw new FilterError(`number out of range ${show(text)} at position ${t.pos}`, t.pos);
    return n;
  }
  const lower = text.toLowerCase();
  if (lower === "true" || lower === "false") return lower === "true";
  if (nulls.has(lower)) return null;
  if (text.startsWith("@")) {
    const iso = macro(text.slice(1));
    if (iso === undefined) throw new FilterError(`unknown macro ${show(text)} at position ${t.pos}`, t.pos);
    if (iso === null) throw new FilterError(`date out of range ${show(text)} at position ${t.pos}`, t.pos);
    return iso;
  }
  return undefined;
}

function field(text: string, t: Token): Operand {
  const m = FIELD.exec(text);
  if (!m) throw new FilterError(`invalid field name ${show(text)} at position ${t.pos}`, t.pos);
  const name = m[1]!;
  const modifier = m[2];
  if (modifier === undefined) return { kind: "field", name };
  if (!MODIFIERS.has(modifier)) {
    throw new FilterError(`unsupported modifier ':${modifier}' at position ${t.pos}`, t.pos);
  }
  return { kind: "field", name, modifier: modifier as "lower" | "upper" | "length" };
}
