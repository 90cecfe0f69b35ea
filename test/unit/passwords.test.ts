import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.ts";
import { assertPasswordPolicy, hashPassword, passwordProblems, verifyDummyPassword, verifyPassword } from "../../src/core/auth/passwords.ts";

describe("hashPassword / verifyPassword", () => {
  it("round-trips and encodes the scrypt parameters", async () => {
    const hash = await hashPassword("correct horse 1");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword("correct horse 1", hash)).toBe(true);
    expect(await verifyPassword("correct horse 2", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts every hash", async () => {
    const [a, b] = await Promise.all([hashPassword("same-pass-1"), hashPassword("same-pass-1")]);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same-pass-1", b)).toBe(true);
  });

  it("reads the cost parameters from the stored string", async () => {
    // A hash made with other (cheaper) parameters still verifies.
    const { scryptSync, randomBytes } = await import("node:crypto");
    const salt = randomBytes(16);
    const key = scryptSync("legacy-pass-9", salt, 32, { N: 1024, r: 8, p: 1 });
    const encoded = `scrypt$1024$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
    expect(await verifyPassword("legacy-pass-9", encoded)).toBe(true);
    expect(await verifyPassword("legacy-pass-8", encoded)).toBe(false);
  });

  it.each([
    ["empty", ""],
    ["other scheme", "bcrypt$2b$10$abc"],
    ["too few parts", "scrypt$32768$8$1$c2FsdA"],
    ["N not a power of two", "scrypt$1000$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g"],
    ["N too large", `scrypt$${2 ** 24}$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g`],
    ["not numbers", "scrypt$x$y$z$c2FsdA$aGFzaA"],
    ["empty salt", "scrypt$1024$8$1$$aGFzaGhhc2hoYXNoaGFzaGhhc2g"],
  ])("answers false for a malformed hash (%s)", async (_name, encoded) => {
    expect(await verifyPassword("whatever-1", encoded)).toBe(false);
  });

  it("verifyDummyPassword always answers false", async () => {
    expect(await verifyDummyPassword("cairn-dummy-password-0")).toBe(false);
  });

  it("does not block the event loop while hashing", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await hashPassword("loop-check-1");
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe("FastCMS password rule", () => {
  it.each([
    ["abcdefg1", []],
    ["Päss wörd 1", []],
    ["a".repeat(99) + "1", []],
    ["abc1", ["must be at least 8 characters long"]],
    ["abcdefgh", ["must contain at least one digit"]],
    ["12345678", ["must contain at least one letter"]],
    ["!!!", ["must be at least 8 characters long", "must contain at least one letter", "must contain at least one digit"]],
    ["a".repeat(100) + "1", ["must be at most 100 characters long"]],
    ["", ["must be at least 8 characters long", "must contain at least one letter", "must contain at least one digit"]],
  ])("%j → %j", (password, problems) => {
    expect(passwordProblems(password)).toEqual(problems);
  });

  it("assertPasswordPolicy throws a 422 naming the field and every broken rule", () => {
    let error: unknown;
    try {
      assertPasswordPolicy("short");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const v = error as ValidationError;
    expect(v.status).toBe(422);
    expect(v.message).toContain("password");
    expect(v.fields.password).toContain("at least 8 characters");
    expect(v.fields.password).toContain("at least one digit");
    expect(() => assertPasswordPolicy("long-enough-1")).not.toThrow();
    expect(() => assertPasswordPolicy("nope", "new_password")).toThrow(/new_password/);
  });
});
