/**
 * The declared-value expression language (lib/value-expression.ts): arithmetic, strings, names,
 * null propagation, and hostile input (every failure a ValueExpressionError with a position).
 */
import { describe, expect, it } from "vitest";
import { compileValue, ValueExpressionError } from "../../src/lib/value-expression.ts";

const scope: Record<string, unknown> = { total: 200, qty: 3, name: "Lamp", "input.discount": 10, empty: null, text: "5", zero: 0 };
const run = (src: string) => compileValue(src)((n) => scope[n]);

describe("compileValue: evaluation", () => {
  const cases: [string, unknown][] = [
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["10 / 4", 2.5],
    ["-qty + 1", -2],
    ["--qty", 3],
    ["total * (1 - input.discount / 100)", 180],
    ["name + ' (copy)'", "Lamp (copy)"],
    ['"n=" + qty', "n=3"],
    ["'it\\'s'", "it's"],
    ["empty + 1", null],
    ["missing * 2", null],
    ["text * 2", null],
    ["qty / zero", null],
    ["true", true],
    ["null", null],
    ["1e3 + 0.5", 1000.5],
    ["  qty  ", 3],
  ];
  it.each(cases)("%s", (src, expected) => expect(run(src)).toEqual(expected));
});

describe("compileValue: hostile and malformed input", () => {
  const cases: [string, RegExp, number][] = [
    ["", /unexpected end of expression at position 0/, 0],
    ["1 +", /unexpected end of expression at position 3/, 3],
    ["(1 + 2", /unexpected end of expression at position 6/, 6],
    ["1 2", /unexpected '2' at position 2/, 2],
    ["a ; b", /unexpected character ';' at position 2/, 2],
    ["'open", /unexpected character ''' at position 0/, 0],
    ["a.__proto__.x()", /unexpected '\(' at position 13/, 13],
    ["x = 1", /unexpected character '=' at position 2/, 2],
    ["2 ** 3", /unexpected '\*' at position 3/, 3],
    ["(".repeat(40) + "1" + ")".repeat(40), /nested too deeply/, 32],
    ["1+".repeat(600) + "1", /too long/, 1000],
  ];
  it.each(cases)("%s", (src, message, position) => {
    let error: unknown;
    try {
      compileValue(src);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValueExpressionError);
    expect((error as ValueExpressionError).message).toMatch(message);
    expect((error as ValueExpressionError).position).toBe(position);
  });

  it("names reach only the lookup", () => {
    const seen: string[] = [];
    compileValue("constructor + __proto__ + toString")((n) => void seen.push(n));
    expect(seen).toEqual(["constructor", "__proto__", "toString"]);
  });
});
