/**
 * Tokenizer for the FastCMS/PocketBase filter expression language (see parse-expression.ts).
 * It only splits text; what a bare word means (field, keyword, value) depends on where the
 * parser meets it.
 */
import { FilterError } from "./ast.ts";

export type TokenType =
  | "("
  | ")"
  | "["
  | "]"
  | ","
  | "&&"
  | "||"
  | "!"
  /** a comparison operator: `=`, `!=`, `>=`, `?~`, … (`text` holds it) */
  | "op"
  /** a quoted string; `value` holds it unescaped */
  | "string"
  /** any other run of characters: field names, numbers, keywords, macros, bare values */
  | "bare"
  | "end";

export interface Token {
  type: TokenType;
  /** the source text of the token */
  text: string;
  /** 0-based offset of the token in the source */
  pos: number;
  /** unescaped content of a string token */
  value?: string;
}

/** Characters that end a bare word. */
const DELIMITERS = new Set(["(", ")", "[", "]", ",", "=", "!", "<", ">", "~", "?", "&", "|", '"', "'"]);
const WHITESPACE = /\s/u;
// C0/C1 control characters (NUL included) are never part of a bare word.
const CONTROL = /\p{Cc}/u;

/** Quotes a piece of source text for an error message (control characters escaped, long text cut). */
export function show(text: string): string {
  const cut = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  const escaped = cut.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `'${escaped}'`;
}

/**
 * Splits `src` into tokens, ending with an `end` token at `src.length`.
 * @throws FilterError on an unterminated string, a lone `&`/`|`/`?` or a control character.
 */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (type: TokenType, text: string, pos: number, value?: string) => {
    tokens.push(value === undefined ? { type, text, pos } : { type, text, pos, value });
  };
  while (i < src.length) {
    const c = src[i]!;
    if (WHITESPACE.test(c)) {
      i++;
      continue;
    }
    const start = i;
    const two = src.slice(i, i + 2);
    const three = src.slice(i, i + 3);
    if (c === "(" || c === ")" || c === "[" || c === "]" || c === ",") {
      push(c, c, i++);
    } else if (two === "&&" || two === "||") {
      push(two, two, i);
      i += 2;
    } else if (c === "&" || c === "|") {
      throw new FilterError(`unexpected '${c}' at position ${i} (did you mean '${c}${c}'?)`, i);
    } else if (c === "?") {
      const op = ["?!=", "?!~", "?>=", "?<="].includes(three) ? three : ["?=", "?>", "?<", "?~"].includes(two) ? two : undefined;
      if (!op) throw new FilterError(`unexpected ${show(src.slice(i, i + 3))} at position ${i}`, i);
      push("op", op, i);
      i += op.length;
    } else if (c === "!") {
      if (two === "!=" || two === "!~") {
        push("op", two, i);
        i += 2;
      } else {
        push("!", "!", i++);
      }
    } else if (c === ">" || c === "<") {
      const op = src[i + 1] === "=" ? `${c}=` : c;
      push("op", op, i);
      i += op.length;
    } else if (c === "=" || c === "~") {
      push("op", c, i++);
    } else if (c === '"' || c === "'") {
      i = readString(src, i, push);
    } else if (CONTROL.test(c)) {
      throw new FilterError(`unexpected character ${show(c)} at position ${i}`, i);
    } else {
      while (i < src.length && !isBareEnd(src[i]!)) i++;
      push("bare", src.slice(start, i), start);
    }
  }
  push("end", "", src.length);
  return tokens;
}

function isBareEnd(c: string): boolean {
  return DELIMITERS.has(c) || WHITESPACE.test(c) || CONTROL.test(c);
}

/**
 * Reads a quoted string starting at `start`; returns the offset after the closing quote.
 * A backslash escapes the quote character and the backslash itself; any other backslash is kept.
 */
function readString(src: string, start: number, push: (type: TokenType, text: string, pos: number, value?: string) => void): number {
  const quote = src[start]!;
  let out = "";
  let i = start + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\\" && (src[i + 1] === quote || src[i + 1] === "\\")) {
      out += src[i + 1];
      i += 2;
    } else if (c === quote) {
      push("string", src.slice(start, i + 1), start, out);
      return i + 1;
    } else {
      out += c;
      i++;
    }
  }
  throw new FilterError(`unterminated string starting at position ${start}`, start);
}
