/**
 * Password rules: SnackBase's strong rule (each broken rule named by its code), the policy per
 * account, and the error bodies each path gets (422 on /auth, 400 on /users).
 */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.ts";
import { assertPassword, PASSWORD_SPECIALS, PasswordPolicyError, passwordPolicyFor, strongPasswordProblems } from "../../src/core/auth/passwords.ts";

const codes = (pw: string) => strongPasswordProblems(pw).map((p) => p.code);

describe("strongPasswordProblems (SnackBase rule)", () => {
  it.each<[string, string, string[]]>([
    ["acceptable", "SecurePass123!", []],
    ["exactly 12 characters", "Abcdefgh12#x", []],
    ["11 characters", "Abcdefg12#x", ["password_too_short"]],
    ["empty", "", ["password_too_short", "password_no_uppercase", "password_no_lowercase", "password_no_digit", "password_no_special"]],
    ["no uppercase", "securepass123!", ["password_no_uppercase"]],
    ["no lowercase", "SECUREPASS123!", ["password_no_lowercase"]],
    ["no digit", "SecurePassword!", ["password_no_digit"]],
    ["no special", "SecurePass1234", ["password_no_special"]],
    ["space is not special", "Secure Pass 1234", ["password_no_special"]],
    ["short and only lowercase", "abc", ["password_too_short", "password_no_uppercase", "password_no_digit", "password_no_special"]],
    ["non-ASCII letters count as letters", "ÄÖÜäöü123456!", []],
    ["length counts code points, not UTF-16 units", "Aa1!😀😀😀😀😀😀😀", ["password_too_short"]],
  ])("%s", (_name, pw, expected) => {
    expect(codes(pw)).toEqual(expected);
  });

  it("accepts every documented special character", () => {
    for (const c of PASSWORD_SPECIALS) expect(codes(`Abcdefgh1234${c}`), c).toEqual([]);
  });
});

describe("assertPassword", () => {
  it("strong: PasswordPolicyError 422 with the joined message and one entry per rule code", () => {
    let err: unknown;
    try {
      assertPassword("strong", "short1");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PasswordPolicyError);
    const e = err as PasswordPolicyError;
    expect(e.status).toBe(422);
    expect(e.code).toBe("VALIDATION_ERROR");
    expect(e.message).toMatch(/^Invalid password: password must be at least 12 characters long; /);
    expect(Object.keys(e.details!).sort()).toEqual(["password", "password_no_special", "password_no_uppercase", "password_too_short"]);
    expect(e.details!.password).toContain("at least one uppercase letter");
  });

  it("strong on a SnackBase-only path: status 400, field name as given", () => {
    try {
      assertPassword("strong", "alllowercase!1", "new_password", 400);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({
        status: 400,
        code: "BAD_REQUEST",
        details: { new_password: "must contain at least one uppercase letter", password_no_uppercase: "new_password must contain at least one uppercase letter" },
      });
    }
  });

  it("standard: the FastCMS rule (ValidationError 422), which accepts what the strong rule refuses", () => {
    expect(() => assertPassword("standard", "simple-pass-1")).not.toThrow();
    expect(() => assertPassword("standard", "short")).toThrow(ValidationError);
    expect(() => assertPassword("strong", "simple-pass-1")).toThrow(PasswordPolicyError);
  });

  it("the default account follows the FastCMS rule, tenant accounts the strong one", () => {
    expect(passwordPolicyFor("default")).toBe("standard");
    expect(passwordPolicyFor("AB1234")).toBe("strong");
  });
});
