// The access pages of the admin in a real browser: API keys (the secret shown once and working),
// users (created in the UI, able to sign in), roles and permissions (saved, a bad rule shown at its
// position), accounts and invitations, and what an account admin sees. Every change is checked
// over the REST API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAdminUi, type AdminUi } from "../helpers/admin-ui.ts";

let ui: AdminUi;
const STRONG = "SecurePass123!";

beforeAll(async () => {
  ui = await openAdminUi();
  const posts = await ui.server.api("POST", "/api/v1/collections", {
    token: ui.server.adminToken,
    body: {
      name: "posts",
      schema: [
        { name: "title", type: "text" },
        { name: "status", type: "text" },
      ],
    },
  });
  expect(posts.status).toBe(201);
  await ui.signIn();
});
afterAll(async () => {
  await ui?.close();
});

const api = (method: string, path: string, body?: unknown) => ui.server.api(method, path, { token: ui.server.adminToken, body });

describe("API keys", { timeout: 90_000 }, () => {
  it("shows a new key once; the key works over the API and is gone after a reload", async () => {
    const page = ui.page;
    await ui.open("/api-keys");
    await page.getByText("No API keys yet").waitFor();
    expect(await ui.checkA11y()).toEqual([]);

    await page.getByRole("button", { name: "New API key" }).click();
    const form = page.getByRole("dialog", { name: "New API key" });
    await form.getByLabel("Name").fill("CI");
    await form.getByLabel(/^write/).check();
    await form.getByLabel("Expires on").fill("2099-12-31");
    await form.getByRole("button", { name: "Create key" }).click();

    const shown = page.getByRole("dialog", { name: 'API key "CI" created' });
    await shown.getByText("You will not see it again").waitFor();
    const secret = await shown.getByLabel("Secret key").inputValue();
    expect(secret).toMatch(/^cairn_/);
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("api-key-created");

    const me = await fetch(`${ui.server.url}/api/v1/auth/me`, { headers: { "x-api-key": secret } });
    expect(me.status).toBe(200);
    expect((await me.json()).email).toBe("admin@example.com");
    const stored = await api("GET", "/api/v1/api-keys");
    expect(stored.body).toHaveLength(1);
    expect(stored.body[0]).toMatchObject({ name: "CI", scopes: ["read", "write"], active: true });
    expect(stored.body[0].expires_at).toMatch(/^2099-12-31|^2100-01-01/);

    await shown.getByRole("button", { name: "I have stored it, close" }).click();
    await shown.waitFor({ state: "hidden" });
    await page.reload();
    await page.getByRole("cell", { name: "CI", exact: true }).waitFor();
    await page.getByText(`${stored.body[0].key_prefix}…`).waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("api-keys");

    await page.getByRole("button", { name: "Deactivate CI" }).click();
    await page.getByRole("button", { name: "Reactivate CI" }).waitFor();
    expect((await fetch(`${ui.server.url}/api/v1/auth/me`, { headers: { "x-api-key": secret } })).status).toBe(401);
    expect((await api("GET", "/api/v1/api-keys")).body[0].active).toBe(false);

    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Delete CI" }).click();
    await page.getByText("No API keys yet").waitFor();
    expect((await api("GET", "/api/v1/api-keys")).body).toEqual([]);
  });

  it("says why a key was refused, next to the form", async () => {
    const page = ui.page;
    await page.getByRole("button", { name: "New API key" }).first().click();
    const form = page.getByRole("dialog", { name: "New API key" });
    await form.getByLabel(/^read/).uncheck();
    await form.getByLabel("Name").fill("no scopes");
    const answer = page.waitForResponse((r) => r.url().endsWith("/api/v1/api-keys") && r.request().method() === "POST");
    await form.getByRole("button", { name: "Create key" }).click();
    expect((await answer).status()).toBe(422);
    await form.getByRole("alert").filter({ hasText: /scope/i }).waitFor();
    await form.getByText(/scope/i, { exact: false }).first().waitFor();
    await form.getByRole("button", { name: "Cancel" }).click();
    expect((await api("GET", "/api/v1/api-keys")).body).toEqual([]);
  });
});

describe("users", { timeout: 90_000 }, () => {
  it("creates a user who can then sign in, and deactivates them", async () => {
    const page = ui.page;
    await ui.open("/users");
    await page.getByRole("cell", { name: "Default" }).first().waitFor();
    await page.getByRole("button", { name: "New user" }).click();
    const form = page.getByRole("dialog", { name: "New user" });
    await form.getByLabel("E-mail").fill("ann@example.com");
    await form.getByLabel("Password").fill("short");
    await form.getByRole("button", { name: "Create user" }).click();
    await form
      .getByText(/12 characters/)
      .first()
      .waitFor();
    await form.getByLabel("Password").fill(STRONG);
    await form.getByRole("button", { name: "Create user" }).click();
    await form.waitFor({ state: "hidden" });
    await page.getByRole("button", { name: "ann@example.com" }).waitFor();

    const login = await ui.server.api("POST", "/api/v1/auth/login", { body: { email: "ann@example.com", password: STRONG } });
    expect(login.status).toBe(200);

    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("users");
    await page.getByLabel("Search e-mail").fill("ann@");
    await page.getByRole("button", { name: "admin@example.com" }).waitFor({ state: "detached" });
    await page.getByText("1–1 of 1").waitFor();

    await page.getByRole("button", { name: "ann@example.com" }).click();
    const edit = page.getByRole("dialog", { name: "User ann@example.com" });
    await edit.getByLabel("Name").fill("Ann Example");
    await edit.getByRole("button", { name: "Save" }).click();
    await page.getByRole("cell", { name: "Ann Example" }).waitFor();
    await edit.getByLabel("New password").fill("Another-pass-456");
    const set = page.waitForResponse((r) => r.url().endsWith("/password") && r.request().method() === "PUT");
    await edit.getByRole("button", { name: "Set password" }).click();
    expect((await set).status()).toBe(200);
    expect((await ui.server.api("POST", "/api/v1/auth/login", { body: { email: "ann@example.com", password: "Another-pass-456" } })).status).toBe(200);
    page.once("dialog", (d) => void d.accept());
    await edit.getByRole("button", { name: "Deactivate" }).click();
    await edit.getByRole("button", { name: "Reactivate" }).waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    await edit.getByRole("button", { name: "Close" }).click();

    const users = await api("GET", "/api/v1/users?search=ann@");
    expect(users.body.items[0]).toMatchObject({ email: "ann@example.com", name: "Ann Example", is_active: false });
    expect((await ui.server.api("POST", "/api/v1/auth/login", { body: { email: "ann@example.com", password: "Another-pass-456" } })).status).toBe(401);
  });
});

describe("roles and permissions", { timeout: 90_000 }, () => {
  it("creates a role, grants a permission, and shows a bad rule at its position", async () => {
    const page = ui.page;
    await ui.open("/roles");
    await page.getByRole("link", { name: "user", exact: true }).waitFor();
    await page.getByRole("button", { name: "New role" }).click();
    const form = page.getByRole("dialog", { name: "New role" });
    await form.getByLabel("Name").fill("editor");
    await form.getByLabel("Description").fill("Edits posts");
    await form.getByRole("button", { name: "Create role" }).click();
    await page.getByRole("heading", { name: "Role editor" }).waitFor();
    await page.getByText("This role has no permissions").waitFor();
    const role = (await api("GET", "/api/v1/roles/editor")).body;
    expect(role).toMatchObject({ name: "editor", description: "Edits posts" });

    await page.getByLabel("Collection").selectOption("posts");
    await page.getByLabel("Operation").selectOption("update");
    await page.getByLabel("Rule").fill("@owns_record() || status = ");
    await page.getByRole("button", { name: "Check rule" }).click();
    const problem = page.locator(".rule-problem");
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/not valid/);
    await problem.locator("mark").waitFor();
    await problem.getByText(/starts at character \d+/).waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("roles-bad-rule");
    // nothing was saved
    expect((await api("GET", `/api/v1/roles/${role.id}/permissions`)).body.permissions).toEqual([]);

    await page.getByLabel("Rule").fill("@owns_record()");
    await page.getByLabel("Fields").fill("title");
    await page.getByRole("button", { name: "Save permission" }).click();
    await page.getByRole("button", { name: /Change update on posts/ }).waitFor();
    const perms = (await api("GET", `/api/v1/roles/${role.id}/permissions`)).body.permissions;
    expect(perms).toEqual([expect.objectContaining({ collection: "posts", update: { rule: "@owns_record()", fields: ["title"] }, read: null })]);

    await ui.open("/roles");
    await page.getByRole("link", { name: "editor" }).waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("roles");
    await page.getByRole("link", { name: "editor" }).click();
    await page.getByRole("button", { name: /Change update on posts/ }).waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("role-permissions");
  });
});

describe("accounts", { timeout: 90_000 }, () => {
  it("creates an account, invites someone and revokes the invitation", async () => {
    const page = ui.page;
    await ui.open("/accounts");
    await page.getByRole("link", { name: "Default" }).first().waitFor();
    await page.getByRole("button", { name: "New account" }).click();
    const form = page.getByRole("dialog", { name: "New account" });
    await form.getByLabel("Name").fill("Acme Corporation");
    await form.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("link", { name: "Acme Corporation" }).waitFor();
    const acme = (await api("GET", "/api/v1/accounts/acme-corporation")).body;
    expect(acme).toMatchObject({ name: "Acme Corporation", slug: "acme-corporation" });
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("accounts");

    await page.getByRole("link", { name: "Acme Corporation" }).click();
    await page.getByRole("heading", { name: "Account Acme Corporation" }).waitFor();
    await page.getByText("No users in this account yet").waitFor();
    await page.getByLabel("E-mail to invite").fill("new.hire@acme.test");
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    await page.getByRole("cell", { name: "new.hire@acme.test", exact: true }).waitFor();
    const invited = (await api("GET", `/api/v1/invitations?account_id=${acme.id}`)).body.items;
    expect(invited).toEqual([expect.objectContaining({ email: "new.hire@acme.test", status: "pending", role_name: "user" })]);

    // inviting the same address again: the server's 409 is shown next to the form
    await page.getByLabel("E-mail to invite").fill("new.hire@acme.test");
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "409" }).waitFor();

    await page.getByRole("button", { name: "Resend the invitation of new.hire@acme.test" }).click();
    await page.getByRole("cell", { name: "2", exact: true }).waitFor();
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Revoke the invitation of new.hire@acme.test" }).click();
    await page.getByRole("cell", { name: "revoked", exact: true }).waitFor();
    expect((await api("GET", `/api/v1/invitations/${invited[0].id}`)).body.status).toBe("revoked");
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("account");

    const initech = await api("POST", "/api/v1/accounts", { name: "Initech" });
    expect(initech.status).toBe(201);
    await ui.open(`/accounts?id=${initech.body.id}`);
    await page.getByRole("heading", { name: "Account Initech" }).waitFor();
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Delete account" }).click();
    await page.getByRole("heading", { name: "Accounts", exact: true }).waitFor();
    await page.getByRole("link", { name: "Initech" }).waitFor({ state: "detached" });
    expect((await api("GET", `/api/v1/accounts/${initech.body.id}`)).status).toBe(404);
  });

  it("shows an account admin only their account and no Users link", async () => {
    const page = ui.page;
    const other = await api("POST", "/api/v1/accounts", { name: "Globex" });
    expect(other.status).toBe(201);
    const owner = await api("POST", "/api/v1/users", { email: "owner@acme.test", password: STRONG, account_id: "acme-corporation", role_id: 1 });
    expect(owner.status).toBe(201);
    // An account's users sign in with the account's slug.
    await ui.signIn("owner@acme.test", STRONG, "acme-corporation");
    await ui.open("/accounts");
    await page.getByText("Signed in as owner@acme.test").waitFor();
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Accounts" }).waitFor();
    expect(await nav.getByRole("link", { name: "Users" }).count()).toBe(0);
    await page.getByRole("link", { name: "Acme Corporation" }).waitFor();
    expect(await page.getByRole("link", { name: "Globex" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Default" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "New account" }).count()).toBe(0);
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("accounts-account-admin");

    // their own account: its users; another's answers 404 in words
    await page.getByRole("link", { name: "Acme Corporation" }).click();
    await page.getByRole("cell", { name: "owner@acme.test", exact: true }).waitFor();
    await ui.open(`/accounts?id=${other.body.id}`);
    await page.getByRole("alert").filter({ hasText: "404" }).waitFor();

    // pages for superadmins say so instead of failing silently
    for (const path of ["/users", "/roles"]) {
      await ui.open(path);
      await page
        .getByRole("alert")
        .filter({ hasText: /needs superadmin rights/ })
        .waitFor();
      expect(await ui.checkA11y()).toEqual([]);
    }
    // their own API keys work as for anyone
    await ui.open("/api-keys");
    await page.getByText("No API keys yet").waitFor();
  });
});
