/**
 * A small arithmetic language for declared values (`total * (1 - input.discount / 100)`,
 * `name + ' (copy)'`): numbers, strings in either quote, `true`/`false`/`null`, names (`x`,
 * `a.b`) looked up by the caller, `+ - * /`, unary minus and parentheses. `+` joins when either
 * side is a string; any other operation on a non-number, and division by zero, gives null; null
 * propagates. Compiled once, evaluated many times; no access to anything but the lookup.
 */

export type Lookup = (name: string) => unknown;
export type Compiled = (lookup: Lookup) => unknown;

/** An expression that cannot be compiled; `position` is the 0-based offset of the problem. */
export class ValueExpressionError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = "ValueExpressionError";
  }
}

const TOKEN = /(?:(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([-+*/()]))/y;
const MAX_LENGTH = 1000;
const MAX_DEPTH = 32;

type Tok = { kind: "num" | "name" | "str" | "op" | "end"; text: string; value?: number | string; pos: number };

function tokens(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  for (;;) {
    while (i < src.length && /\s/.test(src[i]!)) i++;
    if (i >= src.length) break;
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(src);
    if (!m) throw new ValueExpressionError(`unexpected character '${src[i]}' at position ${i}`, i);
    const pos = i;
    if (m[1] !== undefined) out.push({ kind: "num", text: m[1], value: Number(m[1]), pos });
    else if (m[2] !== undefined) out.push({ kind: "name", text: m[2], pos });
    else if (m[3] !== undefined || m[4] !== undefined) out.push({ kind: "str", text: m[0], value: (m[3] ?? m[4])!.replace(/\\(.)/g, "$1"), pos });
    else out.push({ kind: "op", text: m[5]!, pos });
    i = TOKEN.lastIndex;
  }
  out.push({ kind: "end", text: "", pos: src.length });
  return out;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function apply(op: string, a: unknown, b: unknown): unknown {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (op === "+" && (typeof a === "string" || typeof b === "string")) return `${String(a)}${String(b)}`;
  const x = num(a);
  const y = num(b);
  if (x === null || y === null) return null;
  const r = op === "+" ? x + y : op === "-" ? x - y : op === "*" ? x * y : y === 0 ? null : x / y;
  return r === null || Number.isFinite(r) ? r : null;
}

/**
 * Compiles `src` (see the module comment).
 * @throws ValueExpressionError naming the position of a syntax error, or when the source is
 *   longer than 1000 characters or nested deeper than 32 levels.
 * @example compileValue("price * qty")((n) => ({ price: 2, qty: 3 })[n]) // 6
 */
export function compileValue(src: string): Compiled {
  if (src.length > MAX_LENGTH) throw new ValueExpressionError(`expression is too long (max ${MAX_LENGTH})`, MAX_LENGTH);
  const toks = tokens(src);
  let i = 0;
  let depth = 0;
  const peek = () => toks[i]!;
  const fail = (t: Tok, expected: string) => new ValueExpressionError(`unexpected ${t.kind === "end" ? "end of expression" : `'${t.text}'`} at position ${t.pos} (expected ${expected})`, t.pos);
  const binary = (next: () => Compiled, ops: string): Compiled => {
    let left = next();
    while (peek().kind === "op" && ops.includes(peek().text)) {
      const op = toks[i++]!.text;
      const l = left;
      const r = next();
      left = (lookup) => apply(op, l(lookup), r(lookup));
    }
    return left;
  };
  const expr = (): Compiled => binary(term, "+-");
  const term = (): Compiled => binary(factor, "*/");
  const factor = (): Compiled => {
    const t = toks[i++]!;
    if (++depth > MAX_DEPTH) throw new ValueExpressionError(`expression nested too deeply at position ${t.pos}`, t.pos);
    try {
      if (t.kind === "num" || t.kind === "str") return () => t.value;
      if (t.kind === "name") {
        if (t.text === "true" || t.text === "false") return () => t.text === "true";
        if (t.text === "null") return () => null;
        return (lookup) => lookup(t.text) ?? null;
      }
      if (t.text === "-") {
        const inner = factor();
        return (lookup) => apply("-", 0, inner(lookup));
      }
      if (t.text === "(") {
        const inner = expr();
        const close = toks[i++]!;
        if (close.text !== ")" || close.kind !== "op") throw fail(close, `')' to close '(' at position ${t.pos}`);
        return inner;
      }
      throw fail(t, "a number, a string, a name or '('");
    } finally {
      depth--;
    }
  };
  const out = expr();
  if (peek().kind !== "end") throw fail(peek(), "an operator or the end");
  return out;
}
