/**
 * The Fullfinity Q() parser: the grammar into the one filter AST, and hostile input (every
 * failure a FilterError with the position of the offending text, never another exception).
 */
import { describe, expect, it } from "vitest";
import { FilterError, TRUE, type Expr, type Literal } from "../../src/query/ast.ts";
import { parseQ } from "../../src/query/parse-q.ts";

const f = (name: string) => ({ kind: "field", name }) as const;
const v = (value: Literal) => ({ kind: "value", value }) as const;
const cmp = (name: string, op: string, value: Literal): Expr => ({ kind: "compare", op, left: f(name), right: v(value) }) as Expr;
const exact = (name: string, op: string, value: Literal): Expr => ({ ...(cmp(name, op, value) as object), caseSensitive: true }) as Expr;
const isNull = (name: string, negate: boolean): Expr => ({ kind: "isNull", operand: f(name), negate });

function parseError(src: string): FilterError {
  try {
    parseQ(src);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterError);
    return e as FilterError;
  }
  throw new Error(`expected a FilterError for ${JSON.stringify(src)}`);
}

describe("parseQ: lookups and literals", () => {
  const cases: [string, Expr][] = [
    ["", TRUE],
    ["   ", TRUE],
    ["Q()", TRUE],
    ["Q(active=True)", cmp("active", "eq", true)],
    ["Q(active__eq=True)", cmp("active", "eq", true)],
    ["Q(active__exact=False)", cmp("active", "eq", false)],
    ["Q(name__ne='x')", cmp("name", "ne", "x")],
    ["Q(views__gt=10)", cmp("views", "gt", 10)],
    ["Q(views__gte=-5)", cmp("views", "gte", -5)],
    ["Q(price__lt=9.99)", cmp("price", "lt", 9.99)],
    ["Q(price__lte=1e3)", cmp("price", "lte", 1000)],
    ["Q(price__lte=1_000)", cmp("price", "lte", 1000)],
    ["Q(price__gt=.5)", cmp("price", "gt", 0.5)],
    ["Q(status__in=['a', 'b'])", cmp("status", "in", ["a", "b"])],
    ["Q(status__in=('a',))", cmp("status", "in", ["a"])],
    ["Q(status__in=[])", cmp("status", "in", [])],
    ["Q(views__in=[1, 2.5, None])", cmp("views", "in", [1, 2.5, null])],
    ["Q(name__contains='cms')", exact("name", "contains", "cms")],
    ['Q(name__icontains="CMS")', cmp("name", "contains", "CMS")],
    ["Q(name__startswith='a')", exact("name", "startsWith", "a")],
    ["Q(name__istartswith='a')", cmp("name", "startsWith", "a")],
    ["Q(name__endswith='z')", exact("name", "endsWith", "z")],
    ["Q(contact__name__contains='Acme')", exact("contact.name", "contains", "Acme")],
    ["Q(name__iendswith='z')", cmp("name", "endsWith", "z")],
    ["Q(due__isnull=True)", isNull("due", false)],
    ["Q(due__isnull=False)", isNull("due", true)],
    ["Q(due=None)", isNull("due", false)],
    ["Q(due__ne=None)", isNull("due", true)],
    ["Q(first_name='Ann')", cmp("first_name", "eq", "Ann")],
    ["Q(contact__name__icontains='acme')", cmp("contact.name", "contains", "acme")],
    ["Q(order__contact__name='x')", cmp("order.contact.name", "eq", "x")],
    ["Q(contact__name='x')", cmp("contact.name", "eq", "x")],
    ["Q(t='it\\'s')", cmp("t", "eq", "it's")],
    ['Q(t="say \\"hi\\"")', cmp("t", "eq", 'say "hi"')],
    ["Q(t='a\\nb\\tc\\\\d')", cmp("t", "eq", "a\nb\tc\\d")],
    ["Q(t='\\x41\\u00e9')", cmp("t", "eq", "Aé")],
    ["Q(t='keep \\q')", cmp("t", "eq", "keep \\q")],
    ["Q(t='日本語 ✓')", cmp("t", "eq", "日本語 ✓")],
    ["Q(t='')", cmp("t", "eq", "")],
    ["Q(a=1, b=2)", { kind: "and", items: [cmp("a", "eq", 1), cmp("b", "eq", 2)] }],
    ["Q(a=1, b=2,)", { kind: "and", items: [cmp("a", "eq", 1), cmp("b", "eq", 2)] }],
  ];
  it.each(cases)("%s", (src, expected) => expect(parseQ(src)).toEqual(expected));
});

describe("parseQ: operators and precedence", () => {
  const a = cmp("a", "eq", 1);
  const b = cmp("b", "eq", 2);
  const c = cmp("c", "eq", 3);
  const cases: [string, Expr][] = [
    ["Q(a=1) & Q(b=2)", { kind: "and", items: [a, b] }],
    ["Q(a=1) | Q(b=2)", { kind: "or", items: [a, b] }],
    ["~Q(a=1)", { kind: "not", expr: a }],
    ["~~Q(a=1)", { kind: "not", expr: { kind: "not", expr: a } }],
    ["Q(a=1) | Q(b=2) & Q(c=3)", { kind: "or", items: [a, { kind: "and", items: [b, c] }] }],
    ["(Q(a=1) | Q(b=2)) & Q(c=3)", { kind: "and", items: [{ kind: "or", items: [a, b] }, c] }],
    ["~Q(a=1) & Q(b=2)", { kind: "and", items: [{ kind: "not", expr: a }, b] }],
    ["~(Q(a=1) | Q(b=2))", { kind: "not", expr: { kind: "or", items: [a, b] } }],
    ["\n\tQ( a = 1 )\n", a],
  ];
  it.each(cases)("%s", (src, expected) => expect(parseQ(src)).toEqual(expected));
});

describe("parseQ: hostile and malformed input", () => {
  const cases: [string, RegExp, number | undefined][] = [
    ["Q(", /unexpected end of filter at position 2/, 2],
    ["Q(a=1", /unexpected end of filter at position 5/, 5],
    ["Q(a=1) &", /unexpected end of filter at position 8/, 8],
    ["Q(a=1) && Q(b=2)", /unexpected '&' at position 8/, 8],
    ["Q(a=1) Q(b=2)", /unexpected 'Q' at position 7/, 7],
    ["q(a=1)", /unexpected 'q' at position 0/, 0],
    ["Q(a)", /unexpected '\)' at position 3 \(expected '=' after 'a'\)/, 3],
    ["Q(a==1)", /unexpected '=' at position 4/, 4],
    ["Q(=1)", /unexpected '=' at position 2/, 2],
    ["Q(a=true)", /unexpected 'true' at position 4/, 4],
    ["Q(a=null)", /unexpected 'null' at position 4/, 4],
    ["Q(a=b)", /unexpected 'b' at position 4/, 4],
    ["Q(a='x)", /unterminated string starting at position 4/, 4],
    ["Q(a='x\\')", /unterminated string starting at position 4/, 4],
    ["Q(a='\\xZZ')", /invalid escape/, 5],
    ["Q(a__in=5)", /lookup 'in' takes a list or tuple at position 8/, 8],
    ["Q(a__isnull='yes')", /lookup 'isnull' takes True or False at position 12/, 12],
    ["Q(a__gt=[1])", /cannot take a list at position 8/, 8],
    ["Q(a__contains=None)", /cannot take None at position 14/, 14],
    ["Q(a__in=[1, [2]])", /unexpected '\[' at position 12/, 12],
    ["Q(a__in=[1 2])", /',' or '\]'/, 11],
    ["Q(a___b=1)", /invalid field path 'a___b' at position 2/, 2],
    ["Q(__a=1)", /invalid field path '__a' at position 2/, 2],
    ["Q(a__=1)", /invalid field path 'a__' at position 2/, 2],
    ["Q(a=1) ; DROP TABLE x", /unexpected character ';' at position 7/, 7],
    ["Q(a=1)\u0000", /unexpected character '\\u0000' at position 6/, 6],
    ["Q(a=1) # comment", /unexpected character '#' at position 7/, 7],
    ["Q(a=1__0)", /invalid number '1__0' at position 4/, 4],
    ["Q(a=1e999)", /invalid number '1e999' at position 4/, 4],
    [`Q(a='${"x".repeat(5000)}')`, /filter is too long/, 4096],
    [`${"(".repeat(40)}Q(a=1)${")".repeat(40)}`, /nested too deeply at position 32 \(max 32\)/, 32],
    [`${"~".repeat(40)}Q(a=1)`, /nested too deeply at position 32/, 32],
    [Array.from({ length: 101 }, (_, i) => `Q(a=${i})`).join(" | "), /too many comparisons/, undefined],
    [`Q(a__in=[${Array.from({ length: 1001 }, () => "1").join(",")}])`, /list has too many items/, undefined],
  ];
  it.each(cases)("%s", (src, message, position) => {
    const e = parseError(src);
    expect(e.message).toMatch(message);
    if (position !== undefined) expect(e.position).toBe(position);
  });

  it("refuses a non-string", () => {
    expect(() => parseQ(42 as unknown as string)).toThrow(FilterError);
  });

  it("never throws anything but a FilterError on random input (seeded)", () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const alphabet = ["Q", "(", ")", "[", "]", ",", "=", "&", "|", "~", "'", '"', "\\", "a", "__", "in", "True", "None", "1", ".", "-", "e", " ", "__isnull", "\u0000", "é"];
    for (let i = 0; i < 3000; i++) {
      const src = Array.from({ length: rand(30) }, () => alphabet[rand(alphabet.length)]).join("");
      try {
        parseQ(src);
      } catch (e) {
        if (!(e instanceof FilterError)) throw new Error(`${JSON.stringify(src)} threw ${String(e)}`, { cause: e });
      }
    }
  });
});
