/**
 * Account slugs (core/accounts/slug.ts): SnackBase's derivation from a name, table-driven, with
 * hostile names (control characters, prototype keys, very long or symbol-only names), and the
 * rule for a slug sent by the client.
 */
import { describe, expect, it } from "vitest";
import { deriveSlug, SLUG, slugFor } from "../../src/core/accounts/slug.ts";
import { ValidationError } from "../../src/core/errors.ts";

describe("deriveSlug", () => {
  it.each<[string, string]>([
    ["Acme Corporation", "acme-corporation"],
    ["acme_corp", "acme-corp"],
    ["  Lots   of\tspace\nhere  ", "lots-of-space-here"],
    ["Mixed_ _Separators", "mixed-separators"],
    ["Café Ünïcode", "cafe-unicode"],
    ["Dots.and,commas!", "dotsandcommas"],
    ["--dashes--inside--", "dashes-inside"],
    ["x".repeat(40), "x".repeat(32)],
    ["abcdefghijklmnopqrstuvwxyz01234 5678", "abcdefghijklmnopqrstuvwxyz01234"],
    ["__proto__", "proto"],
    ["constructor", "constructor"],
    ["a\u0000b\u0000c", "abc"],
    ["日本語の会社", ""],
    ["🙂🙂🙂", ""],
    ["!!", ""],
    ["", ""],
  ])("%j → %j", (name, slug) => {
    expect(deriveSlug(name)).toBe(slug);
    expect(slug.length).toBeLessThanOrEqual(32);
  });

  it("derives at most 32 characters from a name of a megabyte, quickly", () => {
    const started = performance.now();
    expect(deriveSlug("ab_ ".repeat(250_000))).toMatch(SLUG);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("slugFor", () => {
  it.each<[string, string | null, string]>([
    ["Acme", null, "acme"],
    ["Acme", "  ACME-EU  ", "acme-eu"],
    ["!!", "fine-slug", "fine-slug"],
  ])("name %j, slug %j → %j", (name, given, slug) => {
    expect(slugFor(name, given)).toBe(slug);
  });

  it.each<[string, string | null]>([
    ["x", null],
    ["日本語", null],
    ["Acme", "ab"],
    ["Acme", "-acme"],
    ["Acme", "acme-"],
    ["Acme", "ac me"],
    ["Acme", "a".repeat(33)],
    ["Acme", "__proto__"],
    ["Acme", "acme\u0000"],
  ])("name %j, slug %j → 422 naming the field", (name, given) => {
    let error: unknown;
    try {
      slugFor(name, given, "slug");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toHaveProperty("slug");
  });
});
