/**
 * OAuth sign-in against a real local OAuth2/OIDC server (oauth2-mock-server on 127.0.0.1):
 * - FastCMS round trip: /oauth/google/login → 302 to the mock's authorize endpoint → 302 back
 *   to /oauth/google/callback → auth response with tokens (OIDC: discovery, ID token, nonce);
 * - SnackBase round trip: /auth/oauth/github/authorize → authorize → /auth/oauth/github/callback
 *   (GitHub-style: userinfo + e-mail list);
 * - PKCE: the S256 challenge matches the verifier the token endpoint receives, and a wrong
 *   verifier is refused; state is single use, expiring and bound to its provider;
 * - accounts link by VERIFIED e-mail only; an unverified address never takes over a user;
 * - unconfigured/unknown providers and bad input → 4xx with an error body; logins audited.
 */
import { createHash } from "node:crypto";
import { OAuth2Server } from "oauth2-mock-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { registerUser, startApp, type ApiClient, type TestApp } from "../helpers/app.ts";

let mock: OAuth2Server;
let t: TestApp;
let api: ApiClient;

/** What the mock says about the next person who signs in. */
let oidcClaims: Record<string, unknown> = {};
/** OIDC userinfo answer (asked when the ID token has no e-mail); default: just the subject */
let oidcUserinfo: Record<string, unknown> | undefined;
let githubUser: Record<string, unknown> = {};
let githubEmails: { email: string; primary: boolean; verified: boolean }[] = [];
/** Token requests the mock received (form fields). */
let tokenRequests: Record<string, string>[] = [];

const CLIENT_ID = { google: "cairn-google", github: "cairn-github", apple: "cairn-apple" };

beforeAll(async () => {
  mock = new OAuth2Server();
  await mock.issuer.keys.generate("RS256");
  await mock.start(0, "127.0.0.1");
  const issuer = mock.issuer.url!;
  mock.service.on("beforeTokenSigning", (token) => Object.assign(token.payload, oidcClaims));
  mock.service.on("beforeResponse", (response, req) => {
    const body = (req as unknown as { body: Record<string, string> }).body;
    tokenRequests.push(body);
    // GitHub is plain OAuth 2: no ID token
    if (body.client_id === CLIENT_ID.github && response.statusCode === 200) delete (response.body as Record<string, unknown>).id_token;
  });
  mock.service.on("beforeUserinfo", (response, req) => {
    if ((req.url ?? "").includes("emails")) response.body = githubEmails;
    else if (Object.keys(githubUser).length) response.body = githubUser;
    else response.body = oidcUserinfo ?? { sub: oidcClaims.sub };
  });
  t = await startApp(
    {},
    {
      CAIRN_OAUTH_GOOGLE_CLIENT_ID: CLIENT_ID.google,
      CAIRN_OAUTH_GOOGLE_CLIENT_SECRET: "google-secret",
      CAIRN_OAUTH_GOOGLE_ISSUER: issuer, // endpoints from the discovery document
      CAIRN_OAUTH_GITHUB_CLIENT_ID: CLIENT_ID.github,
      CAIRN_OAUTH_GITHUB_CLIENT_SECRET: "github-secret",
      CAIRN_OAUTH_GITHUB_AUTHORIZATION_URL: `${issuer}/authorize`,
      CAIRN_OAUTH_GITHUB_TOKEN_URL: `${issuer}/token`,
      CAIRN_OAUTH_GITHUB_USERINFO_URL: `${issuer}/userinfo`,
      CAIRN_OAUTH_GITHUB_EMAILS_URL: `${issuer}/userinfo?emails=1`,
      CAIRN_OAUTH_APPLE_CLIENT_ID: CLIENT_ID.apple,
      CAIRN_OAUTH_APPLE_CLIENT_SECRET: "apple-secret",
      CAIRN_OAUTH_APPLE_ISSUER: issuer,
      // microsoft deliberately unconfigured
    },
  );
  api = t.api;
});
afterAll(async () => {
  await t?.close();
  await mock?.stop();
});
beforeEach(() => {
  oidcClaims = {};
  oidcUserinfo = undefined;
  githubUser = {};
  githubEmails = [];
  tokenRequests = [];
});

const uniq = () => Math.random().toString(36).slice(2, 10);

function expectErrorBody(body: any, status: number) {
  expect(body).toMatchObject({ error: expect.any(String), message: expect.any(String), detail: expect.any(String), code: expect.any(String) });
  expect(body).toHaveProperty("details");
  if (status === 400) expect(body.code).toBe("BAD_REQUEST");
  if (status === 404) expect(body.code).toBe("NOT_FOUND");
  if (status === 409) expect(body.code).toBe("CONFLICT");
}

/** GET without following redirects; answers the Location. */
async function redirectOf(url: string): Promise<URL> {
  const res = await fetch(url, { redirect: "manual" });
  expect(res.status, `${url} → ${res.status}`).toBe(302);
  return new URL(res.headers.get("location")!, url);
}

/** FastCMS flow up to the provider's redirect back to Cairn: returns the callback URL and the authorize URL. */
async function startGoogle(query = ""): Promise<{ authorize: URL; callback: URL }> {
  const authorize = await redirectOf(`${t.url}/api/v1/oauth/google/login${query}`);
  const callback = await redirectOf(authorize.href);
  return { authorize, callback };
}

async function callbackJson(url: URL) {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as any };
}

async function googleSignIn(claims: Record<string, unknown>) {
  oidcClaims = claims;
  const { callback } = await startGoogle();
  return callbackJson(callback);
}

describe("FastCMS flow (Google, OpenID Connect)", () => {
  it("login → provider → callback → tokens; PKCE S256 and nonce checked", async () => {
    const email = `g-${uniq()}@example.com`;
    oidcClaims = { sub: `google-${uniq()}`, email, email_verified: true, name: "Gina Google", picture: "https://example.com/g.png" };
    const { authorize, callback } = await startGoogle();
    expect(authorize.origin).toBe(mock.issuer.url);
    expect(authorize.pathname).toBe("/authorize");
    const q = authorize.searchParams;
    expect(q.get("client_id")).toBe(CLIENT_ID.google);
    expect(q.get("response_type")).toBe("code");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("scope")).toBe("openid email profile");
    expect(q.get("redirect_uri")).toBe(`${t.url}/api/v1/oauth/google/callback`);
    expect(q.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(q.get("nonce")).toMatch(/^[\w-]{20,}$/);
    expect(callback.pathname).toBe("/api/v1/oauth/google/callback");

    const res = await callbackJson(callback);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      access_token: expect.any(String),
      token: { access_token: res.body.access_token, refresh_token: res.body.refresh_token, token_type: "bearer", expires_in: res.body.expires_in },
      refresh_token: expect.any(String),
      token_type: "bearer",
      expires_in: expect.any(Number),
      user: { email, verified: true, role: "user", name: "Gina Google", avatar: "https://example.com/g.png", oauth_provider: "google" },
      account: { slug: "default" },
      is_new_user: true,
      is_new_account: false,
    });
    // PKCE: the token request carried the verifier whose S256 hash is the challenge
    expect(tokenRequests).toHaveLength(1);
    const verifier = tokenRequests[0]!.code_verifier!;
    expect(verifier).toMatch(/^[\w-]{43,128}$/);
    expect(createHash("sha256").update(verifier).digest("base64url")).toBe(q.get("code_challenge"));
    expect(tokenRequests[0]!.client_secret).toBe("google-secret");

    const me = await api("GET", "/api/v1/auth/me", { token: res.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email, verified: true });

    // the same identity signs in to the same user next time
    const again = await googleSignIn({ ...oidcClaims });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ user: { id: res.body.user.id }, is_new_user: false });

    const audit = await api("GET", `/api/v1/audit/user/${res.body.user.id}`, { token: t.adminToken });
    const logins = audit.body.filter((e: any) => e.event_type === "auth" && e.event_action === "login" && e.details?.method === "oauth");
    expect(logins.length).toBeGreaterThanOrEqual(1);
    expect(logins[0].details).toMatchObject({ provider: "google" });
  });

  it("a state is single use: replaying the callback → 400", async () => {
    oidcClaims = { sub: `google-${uniq()}`, email: `r-${uniq()}@example.com`, email_verified: true };
    const { callback } = await startGoogle();
    expect((await callbackJson(callback)).status).toBe(200);
    const replay = await callbackJson(callback);
    expect(replay.status).toBe(400);
    expectErrorBody(replay.body, 400);
    expect(replay.body.message).toMatch(/state/i);
  });

  it("a wrong PKCE verifier is refused by the provider → 400, no session", async () => {
    oidcClaims = { sub: `google-${uniq()}`, email: `p-${uniq()}@example.com`, email_verified: true };
    const { callback } = await startGoogle();
    const state = callback.searchParams.get("state")!;
    await t.app.services.prisma.oAuthState.update({ where: { state }, data: { codeVerifier: "x".repeat(64) } });
    const res = await callbackJson(callback);
    expect(res.status).toBe(400);
    expectErrorBody(res.body, 400);
    expect(res.body.message).toMatch(/code_verifier/);
    expect(res.body).not.toHaveProperty("access_token");
  });

  it("an expired state → 400", async () => {
    oidcClaims = { sub: `google-${uniq()}`, email: `e-${uniq()}@example.com`, email_verified: true };
    const { callback } = await startGoogle();
    await t.app.services.prisma.oAuthState.update({ where: { state: callback.searchParams.get("state")! }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await callbackJson(callback);
    expect(res.status).toBe(400);
    expectErrorBody(res.body, 400);
  });

  it("missing, unknown or foreign state, missing code, provider error → 400 with an error body", async () => {
    const cb = (q: string, provider = "google") => callbackJson(new URL(`${t.url}/api/v1/oauth/${provider}/callback${q}`));
    for (const q of ["", "?code=abc", "?code=abc&state=never-issued-state", `?code=abc&state=${"s".repeat(600)}`]) {
      const res = await cb(q);
      expect(res.status, q).toBe(400);
      expectErrorBody(res.body, 400);
    }
    // a google state presented to the github callback
    const { callback } = await startGoogle();
    const foreign = await cb(`?code=${callback.searchParams.get("code")}&state=${callback.searchParams.get("state")}`, "github");
    expect(foreign.status).toBe(400);
    // the provider refused (user cancelled): state consumed, error named
    const { callback: c2 } = await startGoogle();
    const refused = await cb(`?error=access_denied&error_description=User%20cancelled&state=${c2.searchParams.get("state")}`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/access_denied/);
    const missingCode = await startGoogle();
    const noCode = await cb(`?state=${missingCode.callback.searchParams.get("state")}`);
    expect(noCode.status).toBe(400);
    expect(noCode.body.message).toMatch(/code/i);
  });

  it("failed attempts are audited as auth/login_failed (method oauth)", async () => {
    const res = await api("GET", "/api/v1/audit?event_type=auth&event_action=login_failed&limit=1000", { token: t.adminToken });
    expect(res.body.items.some((e: any) => e.details?.method === "oauth" && e.details?.provider === "google")).toBe(true);
  });
});

describe("linking by e-mail", () => {
  it("a VERIFIED provider address links the existing user (and marks the address verified)", async () => {
    const u = await registerUser(api, `link-${uniq()}@example.com`);
    const res = await googleSignIn({ sub: `google-${uniq()}`, email: u.email.toUpperCase(), email_verified: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { id: u.id, email: u.email, verified: true }, is_new_user: false });
    const links = await t.app.services.prisma.oAuthAccount.findMany({ where: { userId: u.id } });
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ provider: "google" });
    // the password still works
    expect((await api("POST", "/api/v1/auth/login", { body: { email: u.email, password: "User-pass-123" } })).status).toBe(200);
  });

  it("an UNVERIFIED provider address does not take over an existing user → 409", async () => {
    const u = await registerUser(api, `victim-${uniq()}@example.com`);
    for (const claims of [{ email_verified: false }, {}, { email_verified: "false" }]) {
      const res = await googleSignIn({ sub: `attacker-${uniq()}`, email: u.email, ...claims });
      expect(res.status).toBe(409);
      expectErrorBody(res.body, 409);
      expect(res.body.message).toMatch(/not verified/i);
    }
    expect(await t.app.services.prisma.oAuthAccount.count({ where: { userId: u.id } })).toBe(0);
    const me = await api("GET", "/api/v1/auth/me", { token: u.token });
    expect(me.body).toMatchObject({ id: u.id, verified: false });
  });

  it("new users: verified only when the provider says so", async () => {
    const unverified = await googleSignIn({ sub: `google-${uniq()}`, email: `nv-${uniq()}@example.com`, email_verified: false });
    expect(unverified.status).toBe(200);
    expect(unverified.body).toMatchObject({ is_new_user: true, user: { verified: false, oauth_provider: "google" } });
    // a new OAuth user has no usable password
    expect((await api("POST", "/api/v1/auth/login", { body: { email: unverified.body.user.email, password: "" } })).status).toBeGreaterThanOrEqual(400);
  });

  it("an ID token without e-mail is completed from the userinfo endpoint", async () => {
    const sub = `google-${uniq()}`;
    const email = `ui-${uniq()}@example.com`;
    oidcUserinfo = { sub, email, email_verified: true, name: "From Userinfo" };
    const res = await googleSignIn({ sub });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ user: { email, verified: true, name: "From Userinfo" }, is_new_user: true });
  });

  it("no e-mail from the provider → 400", async () => {
    const res = await googleSignIn({ sub: `google-${uniq()}`, email: undefined });
    expect(res.status).toBe(400);
    expectErrorBody(res.body, 400);
    expect(res.body.message).toMatch(/e-mail/);
  });
});

describe("SnackBase flow (GitHub: userinfo + e-mail list)", () => {
  const redirectUri = "http://127.0.0.1:5999/auth/callback";

  async function githubRoundTrip(body: Record<string, unknown> = {}) {
    const start = await api("POST", "/api/v1/auth/oauth/github/authorize", { body: { redirect_uri: redirectUri, ...body } });
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    const back = await redirectOf(start.body.authorization_url);
    expect(back.origin + back.pathname).toBe(redirectUri);
    return { start, code: back.searchParams.get("code")!, state: back.searchParams.get("state")! };
  }

  it("authorize → provider → callback: login response with is_new_user / is_new_account", async () => {
    const email = `gh-${uniq()}@example.com`;
    githubUser = { id: 4242000 + Math.floor(Math.random() * 1000), login: "octo", name: null, email: null, avatar_url: "https://example.com/o.png" };
    githubEmails = [
      { email: `other-${uniq()}@example.com`, primary: false, verified: false },
      { email, primary: true, verified: true },
    ];
    const state = `client-state-${uniq()}`;
    const { start, code, state: returned } = await githubRoundTrip({ state });
    expect(start.body).toEqual({ authorization_url: expect.any(String), state, provider: "github" });
    const url = new URL(start.body.authorization_url);
    expect(url.searchParams.get("scope")).toBe("read:user user:email");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.has("nonce")).toBe(false);
    expect(returned).toBe(state);

    const res = await api("POST", "/api/v1/auth/oauth/github/callback", { body: { code, state, redirect_uri: redirectUri } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      token: expect.any(String),
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: expect.any(Number),
      is_new_user: true,
      is_new_account: false,
      account: { id: "default", slug: "default" },
      user: { email, verified: true, name: "octo", oauth_provider: "github" },
    });
    const verifier = tokenRequests[0]!.code_verifier!;
    expect(createHash("sha256").update(verifier).digest("base64url")).toBe(url.searchParams.get("code_challenge"));

    // reusing the state → 400
    const replay = await api("POST", "/api/v1/auth/oauth/github/callback", { body: { code, state, redirect_uri: redirectUri } });
    expect(replay.status).toBe(400);
    expectErrorBody(replay.body, 400);
  });

  it("GitHub's unverified primary address does not link an existing user", async () => {
    const u = await registerUser(api, `ghv-${uniq()}@example.com`);
    githubUser = { id: 5252000 + Math.floor(Math.random() * 1000), login: "mallory", email: u.email };
    githubEmails = [{ email: u.email, primary: true, verified: false }];
    const { code, state } = await githubRoundTrip();
    const res = await api("POST", "/api/v1/auth/oauth/github/callback", { body: { code, state, redirect_uri: redirectUri } });
    expect(res.status).toBe(409);
    expectErrorBody(res.body, 409);
  });

  it("a verified GitHub address links; the account can be named by slug", async () => {
    const u = await registerUser(api, `ghl-${uniq()}@example.com`);
    githubUser = { id: 6262000 + Math.floor(Math.random() * 1000), login: "linked" };
    githubEmails = [{ email: u.email, primary: true, verified: true }];
    const { code, state } = await githubRoundTrip({ account: "default" });
    const res = await api("POST", "/api/v1/auth/oauth/github/callback", { body: { code, state, redirect_uri: redirectUri } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { id: u.id }, is_new_user: false });
  });

  it("bad input → 4xx with an error body", async () => {
    const cases: [string, unknown, number][] = [
      ["/api/v1/auth/oauth/github/authorize", { redirect_uri: "not a url" }, 422],
      ["/api/v1/auth/oauth/github/authorize", { redirect_uri: "javascript:alert(1)" }, 422],
      ["/api/v1/auth/oauth/github/authorize", {}, 422],
      ["/api/v1/auth/oauth/github/authorize", { redirect_uri: redirectUri, state: "short" }, 422],
      ["/api/v1/auth/oauth/github/authorize", { redirect_uri: redirectUri, account: "no-such-account" }, 404],
      ["/api/v1/auth/oauth/microsoft/authorize", { redirect_uri: redirectUri }, 404],
      ["/api/v1/auth/oauth/facebook/authorize", { redirect_uri: redirectUri }, 404],
      ["/api/v1/auth/oauth/github/callback", { state: "whatever-state" }, 422],
      ["/api/v1/auth/oauth/github/callback", { code: "c", state: "never-issued-state" }, 400],
    ];
    for (const [path, body, status] of cases) {
      const res = await api("POST", path, { body });
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      expectErrorBody(res.body, status);
    }
    // a client state that is already pending → 409
    const state = `dup-state-${uniq()}`;
    expect((await api("POST", "/api/v1/auth/oauth/github/authorize", { body: { redirect_uri: redirectUri, state } })).status).toBe(200);
    const dup = await api("POST", "/api/v1/auth/oauth/github/authorize", { body: { redirect_uri: redirectUri, state } });
    expect(dup.status).toBe(409);
    expectErrorBody(dup.body, 409);
    // redirect_uri must match the authorize request
    const { code, state: s2 } = await githubRoundTrip();
    const mismatch = await api("POST", "/api/v1/auth/oauth/github/callback", { body: { code, state: s2, redirect_uri: "http://127.0.0.1:5999/elsewhere" } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.message).toMatch(/redirect_uri/);
  });
});

describe("providers", () => {
  it("unconfigured and unknown providers → 404 with an error body", async () => {
    for (const path of ["/api/v1/oauth/microsoft/login", "/api/v1/oauth/facebook/login", "/api/v1/oauth/microsoft/callback?code=a&state=b"]) {
      const res = await api("GET", path);
      expect(res.status, path).toBe(404);
      expectErrorBody(res.body, 404);
      expect(res.body.message).toMatch(/not configured|unknown oauth provider/i);
    }
  });

  it("Apple: form_post response mode; the callback accepts a posted form", async () => {
    const email = `apple-${uniq()}@privaterelay.appleid.com`;
    oidcClaims = { sub: `apple-${uniq()}`, email, email_verified: "true" };
    const authorize = await redirectOf(`${t.url}/api/v1/oauth/apple/login`);
    expect(authorize.searchParams.get("response_mode")).toBe("form_post");
    expect(authorize.searchParams.get("scope")).toBe("name email");
    // the mock answers with a query redirect; a real Apple posts the same fields as a form
    const back = await redirectOf(authorize.href);
    const res = await fetch(`${t.url}/api/v1/oauth/apple/callback`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ code: back.searchParams.get("code")!, state: back.searchParams.get("state")! }).toString(),
    });
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ user: { email, verified: true, oauth_provider: "apple" }, is_new_user: true });
  });

  it("Microsoft multi-tenant: the ID token's issuer follows its tenant; only xms_edov/email_verified count as verified", async () => {
    const issuer = mock.issuer.url!;
    const ms = await startApp(
      {},
      {
        CAIRN_OAUTH_MICROSOFT_CLIENT_ID: "cairn-microsoft",
        CAIRN_OAUTH_MICROSOFT_CLIENT_SECRET: "ms-secret",
        CAIRN_OAUTH_MICROSOFT_ISSUER: `${issuer}/{tenantid}/v2.0`,
        CAIRN_OAUTH_MICROSOFT_AUTHORIZATION_URL: `${issuer}/authorize`,
        CAIRN_OAUTH_MICROSOFT_TOKEN_URL: `${issuer}/token`,
        CAIRN_OAUTH_MICROSOFT_USERINFO_URL: `${issuer}/userinfo`,
      },
    );
    try {
      const signIn = async (claims: Record<string, unknown>) => {
        oidcClaims = claims;
        const back = await redirectOf((await redirectOf(`${ms.url}/api/v1/oauth/microsoft/login`)).href);
        return callbackJson(back);
      };
      const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
      const edov = await signIn({ iss: `${issuer}/${tenant}/v2.0`, tid: tenant, sub: `ms-${uniq()}`, email: `ms-${uniq()}@example.com`, xms_edov: true });
      expect(edov.status, JSON.stringify(edov.body)).toBe(200);
      expect(edov.body.user).toMatchObject({ verified: true, oauth_provider: "microsoft" });
      const plain = await signIn({ iss: `${issuer}/${tenant}/v2.0`, tid: tenant, sub: `ms-${uniq()}`, email: `ms-${uniq()}@example.com` });
      expect(plain.status).toBe(200);
      expect(plain.body.user.verified).toBe(false);
      // an issuer that does not match the token's tenant is refused
      const wrong = await signIn({ iss: `${issuer}/someone-else/v2.0`, tid: tenant, sub: `ms-${uniq()}`, email: `ms-${uniq()}@example.com` });
      expect(wrong.status).toBe(400);
      expectErrorBody(wrong.body, 400);
    } finally {
      await ms.close();
    }
  });

  it("an unknown account on the login redirect → 404", async () => {
    const res = await api("GET", "/api/v1/oauth/google/login?account=nope");
    expect(res.status).toBe(404);
    expectErrorBody(res.body, 404);
  });
});
