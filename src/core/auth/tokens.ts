/**
 * Access tokens: short-lived HS256 JWTs signed with the instance secret (jose).
 * Verification accepts only HS256 with our issuer; anything else is treated as no token.
 */
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";

export interface AccessClaims {
  /** user id */
  sub: string;
  /** account id */
  acc: string;
  email: string;
  role: string;
  sa: boolean;
  /** role id (SnackBase roles) */
  rid?: number | null;
  /** session: the refresh-token family this access token was issued with */
  sid?: string;
}

const ISSUER = "cairn";

export class TokenService {
  readonly #key: Uint8Array;
  constructor(
    secret: string,
    readonly accessTtlSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#key = new TextEncoder().encode(secret);
  }

  /** Signs an access token for the given claims. */
  signAccess(claims: AccessClaims): Promise<string> {
    const iat = Math.floor(this.now().getTime() / 1000);
    const extra = { ...(claims.rid != null ? { rid: claims.rid } : {}), ...(claims.sid ? { sid: claims.sid } : {}) };
    return new SignJWT({ acc: claims.acc, email: claims.email, role: claims.role, sa: claims.sa, ...extra, typ: "access" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.accessTtlSeconds)
      .sign(this.#key);
  }

  /** Verifies an access token; returns its claims, or undefined when invalid, expired or not ours. */
  async verifyAccess(token: string): Promise<AccessClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ["HS256"],
        issuer: ISSUER,
        currentDate: this.now(),
      });
      if (payload.typ !== "access" || typeof payload.sub !== "string" || typeof payload.acc !== "string") return undefined;
      return {
        sub: payload.sub,
        acc: payload.acc,
        email: String(payload.email ?? ""),
        role: String(payload.role ?? "user"),
        sa: payload.sa === true,
        rid: typeof payload.rid === "number" && Number.isInteger(payload.rid) ? payload.rid : null,
        ...(typeof payload.sid === "string" ? { sid: payload.sid } : {}),
      };
    } catch (e) {
      if (e instanceof joseErrors.JOSEError) return undefined;
      throw e;
    }
  }
}
