/**
 * SAML 2.0 single sign-on (issue 10 part 4) against real identity providers run by the test on
 * 127.0.0.1 (samlify as the IdP, a generated key pair and self-signed certificate), one per
 * flavour (azure, okta, generic), each speaking its own attribute names. Round trip: metadata →
 * IdP settings through the accounts API → /auth/saml/sso redirects with an AuthnRequest → the
 * IdP's signed response posted to the ACS signs the user in to that account (created, then
 * found again; an existing user is linked by e-mail). Every refused assertion (unsigned,
 * tampered, expired, not yet valid, replayed, other audience, other recipient, another
 * account's, untrusted signer, IdP-initiated unless the provider allows it) → 401 and an audit
 * entry. A RelayState naming this server or an allowed origin → 303 there with the tokens in
 * the fragment, any other URL → 400 (before the assertion is used). With the SP key pair set,
 * AuthnRequests are signed (an IdP that insists on it verifies them) and the metadata says so.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startApp, type ApiClient, type TestApp } from "../helpers/app.ts";
import { idpKeys, TestIdp, type IdpUser, type Tweaks } from "../helpers/saml-idp.ts";
import { gql } from "./graphql-helpers.ts";

let t: TestApp;
let api: ApiClient;
const STRONG = "SecurePass123!";
const tag = () => Math.random().toString(36).slice(2, 8);

type Flavour = "azure" | "okta" | "generic";
const idps = new Map<Flavour, TestIdp>();
let rogue: TestIdp;
let accountA: { id: string; slug: string };
let accountB: { id: string; slug: string };
let adminToken: string;

/** The user as each flavour's IdP describes them. */
function userFor(flavour: Flavour, email: string, name: string): IdpUser {
  if (flavour === "azure") {
    return {
      nameId: `az-${randomUUID()}`,
      nameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
      attributes: {
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": email,
        "http://schemas.microsoft.com/identity/claims/objectidentifier": randomUUID(),
        "http://schemas.microsoft.com/identity/claims/displayname": name,
      },
    };
  }
  if (flavour === "okta") return { nameId: email, attributes: { email, firstName: name.split(" ")[0]!, lastName: name.split(" ")[1]! } };
  return { nameId: `gen-${tag()}`, nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified", attributes: { "urn:oid:0.9.2342.19200300.100.1.3": email, displayName: name } };
}

async function metadata(account: string, provider: string) {
  return api("GET", `/api/v1/auth/saml/metadata?account=${account}&provider=${provider}`);
}

async function configure(account: { id: string; slug: string }, flavour: Flavour, idp: TestIdp, token = adminToken, extra: Record<string, unknown> = {}) {
  const res = await api("PUT", `/api/v1/accounts/${account.id}/saml/${flavour}`, {
    token,
    body: { entity_id: idp.entityId, sso_url: `${idp.url}/sso`, certificate: idp.keys.certificate, ...extra },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** What a browser does: /sso → the IdP → the IdP's auto-post form. Returns the form's action and fields. */
async function ssoForm(account: { slug: string; id: string }, flavour: Flavour, idp: TestIdp, user: IdpUser, tweaks?: Tweaks, relayState = "back-to-app") {
  idp.trust((await metadata(account.slug, flavour)).body);
  idp.next = { user, tweaks };
  const start = await fetch(`${t.url}/api/v1/auth/saml/sso?account=${account.slug}&provider=${flavour}&relay_state=${encodeURIComponent(relayState)}`, { redirect: "manual" });
  expect(start.status).toBe(302);
  const location = start.headers.get("location")!;
  expect(location.startsWith(`${idp.url}/sso?SAMLRequest=`)).toBe(true);
  const page = await fetch(location);
  const html = await page.text();
  expect(page.status, html).toBe(200);
  const attr = (name: string) =>
    /value="([^"]*)"/
      .exec(html.slice(html.indexOf(`name="${name}"`)))![1]!
      .replace(/&quot;/g, '"')
      .replace(/&gt;/g, ">")
      .replace(/&lt;/g, "<")
      .replace(/&amp;/g, "&");
  const action = /action="([^"]*)"/.exec(html)![1]!.replace(/&amp;/g, "&");
  return { action, samlResponse: attr("SAMLResponse"), relayState: attr("RelayState") };
}

async function post(action: string, samlResponse: string, relayState = "") {
  const res = await fetch(action, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: relayState }).toString(),
    redirect: "manual",
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith("{") ? JSON.parse(text) : text, location: res.headers.get("location") };
}

async function setSetting(key: string, value: unknown) {
  const res = await api("POST", "/api/v1/settings", { token: adminToken, body: { key, value, category: "security" } });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

/** Waits (bounded) for the audit entry of a refused assertion with `reason`. */
async function refusalAudited(reason: string, accountId: string) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const row = await t.app.services.prisma.auditLog.findFirst({ where: { eventAction: "saml_login_failed", resourceId: accountId, details: { contains: `"reason":"${reason}"` } } });
    if (row || Date.now() > deadline) return row;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const xmlOf = (b64: string) => Buffer.from(b64, "base64").toString("utf8");
const b64Of = (xml: string) => Buffer.from(xml, "utf8").toString("base64");

beforeAll(async () => {
  t = await startApp();
  api = t.api;
  adminToken = t.adminToken;
  for (const name of ["azure", "okta", "generic"] as const) idps.set(name, await new TestIdp(name, await idpKeys(`${name}.idp.test`)).start());
  rogue = await new TestIdp("rogue", await idpKeys("rogue.idp.test")).start();
  const make = async (name: string) => (await api("POST", "/api/v1/accounts", { token: adminToken, body: { name } })).body as { id: string; slug: string };
  accountA = await make(`Saml A ${tag()}`);
  accountB = await make(`Saml B ${tag()}`);
  for (const [flavour, idp] of idps) await configure(accountA, flavour, idp);
}, 60_000);
afterAll(async () => {
  for (const idp of idps.values()) await idp.close();
  await rogue?.close();
  await t?.close();
});

describe("metadata and settings", () => {
  it("serves SP metadata per account and flavour, before any IdP is configured", async () => {
    const res = await metadata(accountB.slug, "okta");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("xml");
    expect(res.body).toContain(`entityID="${t.url}/api/v1/auth/saml/metadata?account=${accountB.id}&amp;provider=okta"`);
    expect(res.body).toContain(`Location="${t.url}/api/v1/auth/saml/acs?account=${accountB.id}&amp;provider=okta"`);
    expect(res.body).toContain('WantAssertionsSigned="true"');
    expect((await metadata(accountB.slug, "shibboleth")).status).toBe(400);
    expect((await metadata("no-such-account", "okta")).status).toBe(404);
  });

  it("stores IdP settings through the accounts API; bad settings → 422; account admins manage their own", async () => {
    const list = await api("GET", `/api/v1/accounts/${accountA.id}/saml`, { token: adminToken });
    expect(list.body.items.map((p: any) => p.provider)).toEqual(["azure", "generic", "okta"]);
    expect(list.body.items[0]).toMatchObject({
      entity_id: idps.get("azure")!.entityId,
      enabled: true,
      acs_url: expect.stringContaining("/api/v1/auth/saml/acs?account="),
      certificate_fingerprint: expect.stringMatching(/^[0-9A-F:]+$/),
    });
    const bad = await api("PUT", `/api/v1/accounts/${accountB.id}/saml/okta`, { token: adminToken, body: { entity_id: "", sso_url: "ftp://x", certificate: "not a certificate" } });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.details).sort()).toEqual(["certificate", "entity_id", "sso_url"]);
    expect((await api("PUT", `/api/v1/accounts/${accountB.id}/saml/adfs`, { token: adminToken, body: { entity_id: "x", sso_url: "https://x", certificate: "x" } })).status).toBe(400);

    // an admin of B configures B, and cannot see or touch A's providers
    const email = `b-admin-${tag()}@example.com`;
    expect((await api("POST", "/api/v1/users", { token: adminToken, body: { email, password: STRONG, account_id: accountB.id, role_id: 1 } })).status).toBe(201);
    const bAdmin = (await api("POST", "/api/v1/auth/login", { body: { account: accountB.slug, email, password: STRONG } })).body.token;
    await configure(accountB, "okta", idps.get("okta")!, bAdmin);
    expect((await api("GET", `/api/v1/accounts/${accountA.id}/saml`, { token: bAdmin })).status).toBe(404);
    expect((await api("DELETE", `/api/v1/accounts/${accountA.id}/saml/okta`, { token: bAdmin })).status).toBe(404);
    const viaGraphql = await gql(t.url, "query($id: ID!) { samlProviders(accountId: $id) { provider entityId enabled } }", { id: accountB.id }, bAdmin);
    expect(viaGraphql.body.data.samlProviders).toEqual([{ provider: "okta", entityId: idps.get("okta")!.entityId, enabled: true }]);
  });

  it("refuses to start with an unknown flavour (400), account or unconfigured provider (404)", async () => {
    expect((await api("GET", `/api/v1/auth/saml/sso?account=${accountA.slug}&provider=adfs`)).status).toBe(400);
    expect((await api("GET", `/api/v1/auth/saml/sso?account=nobody-here&provider=okta`)).status).toBe(404);
    expect((await api("GET", `/api/v1/auth/saml/sso?account=${accountB.slug}&provider=azure`)).status).toBe(404);
    expect((await api("GET", `/api/v1/auth/saml/sso?account=${accountA.slug}`)).status).toBe(422);
  });
});

describe.each(["azure", "okta", "generic"] as const)("round trip with the %s flavour", (flavour) => {
  it("creates the user in the account on first sign-in, finds them again on the next", async () => {
    const idp = idps.get(flavour)!;
    const email = `${flavour}-${tag()}@example.com`;
    const user = userFor(flavour, email, "Ada Lovelace");
    const form = await ssoForm(accountA, flavour, idp, user);
    expect(form.action).toBe(`${t.url}/api/v1/auth/saml/acs?account=${accountA.id}&provider=${flavour}`);
    expect(form.relayState).toBe("back-to-app");
    const first = await post(form.action, form.samlResponse, form.relayState);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      token: expect.any(String),
      refresh_token: expect.any(String),
      is_new_user: true,
      account: { id: accountA.id },
      user: { email, role: "user" },
      relay_state: "back-to-app",
    });
    // Audit entries are written after the answer: wait for it.
    const login = await eventually(() => t.app.services.prisma.auditLog.findFirst({ where: { eventAction: "login", userId: first.body.user.id } }), 5000, "the login audit entry");
    expect(JSON.parse(login.details!)).toMatchObject({ method: "saml", provider: `saml-${flavour}`, new_user: true });
    const me = await api("GET", "/api/v1/auth/me", { token: first.body.token });
    expect(me.body).toMatchObject({ account_id: accountA.id, email, name: "Ada Lovelace" });

    const next = await ssoForm(accountA, flavour, idp, user);
    const again = await post(next.action, next.samlResponse);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ is_new_user: false, user: { id: first.body.user.id } });
  });
});

describe("linking and refusals", () => {
  it("links an existing user of the account by e-mail", async () => {
    const email = `existing-${tag()}@example.com`;
    const created = await api("POST", "/api/v1/users", { token: adminToken, body: { email, password: STRONG, account_id: accountA.id, role_id: 2 } });
    const form = await ssoForm(accountA, "okta", idps.get("okta")!, userFor("okta", email, "Old Timer"));
    const res = await post(form.action, form.samlResponse);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ is_new_user: false, user: { id: created.body.id, email } });
  });

  it("an IdP-initiated response → 401, audited, unless the provider allows them", async () => {
    const idp = idps.get("okta")!;
    idp.trust((await metadata(accountA.slug, "okta")).body);
    idp.next = { user: userFor("okta", `unasked-${tag()}@example.com`, "Un Asked") };
    const unsolicited = await idp.respond(null);
    const refused = await post(unsolicited.entityEndpoint, unsolicited.context);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toBe("SAML assertion refused: unsolicited");
    expect(await refusalAudited("unsolicited", accountA.id)).toBeTruthy();
    const allowed = await configure(accountA, "okta", idp, adminToken, { allow_idp_initiated: true });
    expect(allowed.allow_idp_initiated).toBe(true);
    try {
      const accepted = await post(unsolicited.entityEndpoint, unsolicited.context);
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    } finally {
      await configure(accountA, "okta", idp);
    }
  });

  it("a replayed response → 401, audited: SP-initiated (its request is used up) and IdP-initiated (its assertion id)", async () => {
    const idp = idps.get("okta")!;
    const form = await ssoForm(accountA, "okta", idp, userFor("okta", `replay-${tag()}@example.com`, "Re Play"));
    expect((await post(form.action, form.samlResponse)).status).toBe(200);
    const replay = await post(form.action, form.samlResponse);
    expect(replay.status).toBe(401);
    expect(replay.body.message).toMatch(/^SAML assertion refused: (in_response_to|replayed)$/);

    // unsolicited (no InResponseTo, allowed here): only the remembered assertion id stops the second use
    await configure(accountA, "okta", idp, adminToken, { allow_idp_initiated: true });
    try {
      idp.next = { user: userFor("okta", `unsolicited-${tag()}@example.com`, "Un Solicited") };
      const unsolicited = await idp.respond(null);
      const first = await post(unsolicited.entityEndpoint, unsolicited.context);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const again = await post(unsolicited.entityEndpoint, unsolicited.context);
      expect(again.status).toBe(401);
      expect(again.body.message).toBe("SAML assertion refused: replayed");
      expect(await refusalAudited("replayed", accountA.id)).toBeTruthy();
    } finally {
      await configure(accountA, "okta", idp);
    }
  });

  const refusals: [string, string, (f: { action: string; samlResponse: string }) => { action: string; samlResponse: string }, Tweaks?][] = [
    ["unsigned", "signature", (f) => ({ ...f, samlResponse: b64Of(xmlOf(f.samlResponse).replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, "")) })],
    ["tampered", "signature", (f) => ({ ...f, samlResponse: b64Of(xmlOf(f.samlResponse).replace(/victim-/g, "attacker-")) })],
    ["expired", "expired", (f) => f, { notBefore: new Date(Date.now() - 3_600_000), notOnOrAfter: new Date(Date.now() - 600_000) }],
    ["not yet valid", "expired", (f) => f, { notBefore: new Date(Date.now() + 600_000), notOnOrAfter: new Date(Date.now() + 1_200_000) }],
    ["for another audience", "audience", (f) => f, { audience: "https://other-sp.example.com/metadata" }],
    ["for another recipient", "recipient", (f) => f, { recipient: "https://other-sp.example.com/acs" }],
  ];

  it.each(refusals)("assertion %s → 401, audited (%s)", async (_what, reason, change, tweaks) => {
    const form = await ssoForm(accountA, "okta", idps.get("okta")!, userFor("okta", `victim-${tag()}@example.com`, "Vic Tim"), tweaks);
    const changed = change(form);
    const res = await post(changed.action, changed.samlResponse);
    expect(res.status, JSON.stringify(res.body)).toBe(401);
    expect(res.body.message).toBe(`SAML assertion refused: ${reason}`);
    expect(await refusalAudited(reason, accountA.id)).toBeTruthy();
  });

  it("another account's response → 401 (its audience is A's SP); a response signed by an untrusted IdP → 401", async () => {
    const form = await ssoForm(accountA, "okta", idps.get("okta")!, userFor("okta", `cross-${tag()}@example.com`, "Cross Over"));
    const toB = await post(form.action.replace(accountA.id, accountB.id), form.samlResponse);
    expect(toB.status).toBe(401);
    expect(toB.body.message).toMatch(/^SAML assertion refused: (audience|recipient)$/);

    // an IdP with the configured entity id but another key
    const impostor = rogue;
    Object.defineProperty(impostor, "entityId", { value: idps.get("okta")!.entityId });
    impostor.trust((await metadata(accountA.slug, "okta")).body);
    impostor.next = { user: userFor("okta", `rogue-${tag()}@example.com`, "Ro Gue") };
    const forged = await impostor.respond(null);
    const res = await post(forged.entityEndpoint, forged.context);
    expect(res.status).toBe(401);
    expect(res.body.message).toBe("SAML assertion refused: signature");
    expect(await refusalAudited("signature", accountA.id)).toBeTruthy();
  });

  it("a missing SAMLResponse → 400; garbage → 401; a disabled provider → 404", async () => {
    const acs = `${t.url}/api/v1/auth/saml/acs?account=${accountA.id}&provider=okta`;
    expect((await fetch(acs, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "RelayState=x" })).status).toBe(400);
    expect((await post(acs, b64Of("<not-saml/>"))).status).toBe(401);
    expect((await post(acs, "%%%")).status).toBe(401);
    const off = await api("PUT", `/api/v1/accounts/${accountA.id}/saml/generic`, {
      token: adminToken,
      body: { entity_id: idps.get("generic")!.entityId, sso_url: `${idps.get("generic")!.url}/sso`, certificate: idps.get("generic")!.keys.certificate, enabled: false },
    });
    expect(off.body.enabled).toBe(false);
    expect((await api("GET", `/api/v1/auth/saml/sso?account=${accountA.slug}&provider=generic`)).status).toBe(404);
    expect((await api("DELETE", `/api/v1/accounts/${accountA.id}/saml/generic`, { token: adminToken })).status).toBe(204);
    expect((await api("DELETE", `/api/v1/accounts/${accountA.id}/saml/generic`, { token: adminToken })).status).toBe(404);
  });
});

describe("RelayState redirect", () => {
  const fragmentOf = (location: string) => new URLSearchParams(new URL(location).hash.slice(1));

  it("a path on this server → 303 there with the session in the fragment", async () => {
    const email = `relay-${tag()}@example.com`;
    const form = await ssoForm(accountA, "okta", idps.get("okta")!, userFor("okta", email, "Re Lay"), undefined, "/app/after-login?tab=1");
    expect(form.relayState).toBe("/app/after-login?tab=1");
    const res = await post(form.action, form.samlResponse, form.relayState);
    expect(res.status, JSON.stringify(res.body)).toBe(303);
    const location = res.location!;
    expect(location.split("#")[0]).toBe(`${t.url}/app/after-login?tab=1`);
    const f = fragmentOf(location);
    expect(f.get("token_type")).toBe("bearer");
    expect(f.get("token")).toBe(f.get("access_token"));
    expect(f.get("is_new_user")).toBe("true");
    expect(f.get("refresh_token")).toBeTruthy();
    const me = await api("GET", "/api/v1/auth/me", { token: f.get("access_token")! });
    expect(me.body).toMatchObject({ account_id: accountA.id, email });
  });

  it("another origin → 400 at /sso and at the ACS, before the assertion is used; an allowed origin → 303", async () => {
    const start = await api("GET", `/api/v1/auth/saml/sso?account=${accountA.slug}&provider=okta&relay_state=${encodeURIComponent("https://evil.example.com/x")}`);
    expect(start.status).toBe(400);
    expect(start.body.message).toMatch(/not an allowed redirect/);
    const form = await ssoForm(accountA, "okta", idps.get("okta")!, userFor("okta", `away-${tag()}@example.com`, "A Way"));
    for (const evil of ["https://evil.example.com/x", "//evil.example.com/x", "/\\evil.example.com/x", "https://app.example.com/done"]) {
      const res = await post(form.action, form.samlResponse, evil);
      expect(res.status, evil).toBe(400);
      expect(res.body.message).toMatch(/not an allowed redirect/);
    }
    await setSetting("saml_allowed_redirects", ["https://app.example.com"]);
    try {
      const ok = await post(form.action, form.samlResponse, "https://app.example.com/done");
      expect(ok.status, JSON.stringify(ok.body)).toBe(303);
      expect(ok.location!.startsWith("https://app.example.com/done#access_token=")).toBe(true);
    } finally {
      expect((await api("DELETE", "/api/v1/settings/saml_allowed_redirects", { token: adminToken })).status).toBeLessThan(300);
    }
    const bad = await api("POST", "/api/v1/settings", { token: adminToken, body: { key: "saml_allowed_redirects", value: ["https://app.example.com/with/path"], category: "security" } });
    expect(bad.status).toBe(422);
  });
});

// last: the SP key pair applies to every account's requests
describe("signed AuthnRequests", () => {
  let strict: TestIdp;
  beforeAll(async () => {
    strict = await new TestIdp("strict", await idpKeys("strict.idp.test"), { wantSignedRequests: true }).start();
    await configure(accountB, "generic", strict);
  }, 60_000);
  afterAll(() => strict?.close());

  it("unsigned by default: an IdP that wants them signed refuses; metadata does not advertise signing", async () => {
    const meta = await metadata(accountB.slug, "generic");
    expect(meta.body).toContain('AuthnRequestsSigned="false"');
    strict.trust(meta.body);
    strict.next = { user: userFor("generic", `strict-${tag()}@example.com`, "Str Ict") };
    const start = await fetch(`${t.url}/api/v1/auth/saml/sso?account=${accountB.slug}&provider=generic`, { redirect: "manual" });
    const location = start.headers.get("location")!;
    expect(location).not.toContain("Signature=");
    expect((await fetch(location)).status).toBe(400);
  });

  it("with the SP key pair: metadata says AuthnRequestsSigned and carries the certificate; the IdP verifies the signature", async () => {
    const sp = await idpKeys("sp.cairn.test");
    const badKey = await api("POST", "/api/v1/settings", { token: adminToken, body: { key: "saml_sp_private_key", value: "not a key", category: "security" } });
    expect(badKey.status).toBe(422);
    await setSetting("saml_sp_private_key", sp.privateKey);
    await setSetting("saml_sp_certificate", sp.certificate);
    try {
      const meta = await metadata(accountB.slug, "generic");
      expect(meta.body).toContain('AuthnRequestsSigned="true"');
      const certBody = sp.certificate.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, "");
      expect(meta.body.replace(/\s/g, "")).toContain(certBody);
      const email = `signed-${tag()}@example.com`;
      const form = await ssoForm(accountB, "generic", strict, userFor("generic", email, "Sig Ned"), undefined, "/signed/done");
      const start = await fetch(`${t.url}/api/v1/auth/saml/sso?account=${accountB.slug}&provider=generic`, { redirect: "manual" });
      expect(start.headers.get("location")).toMatch(/[?&]SigAlg=[^&]+&Signature=/);
      const res = await post(form.action, form.samlResponse, form.relayState);
      expect(res.status, JSON.stringify(res.body)).toBe(303);
      const me = await api("GET", "/api/v1/auth/me", { token: fragmentOf(res.location!).get("access_token")! });
      expect(me.body).toMatchObject({ account_id: accountB.id, email });
    } finally {
      for (const key of ["saml_sp_private_key", "saml_sp_certificate"]) await api("DELETE", `/api/v1/settings/${key}`, { token: adminToken });
    }
  });

  const fragmentOf = (location: string) => new URLSearchParams(new URL(location).hash.slice(1));
});
