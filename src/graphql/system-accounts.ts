/**
 * Accounts, invitations and SAML identity providers over GraphQL (issue 10 part 6), the same
 * core operations as /api/v1/accounts and /api/v1/invitations: the `AccountDetails`,
 * `Invitation` and `SamlProvider` types (an account's users page through `AccountDetails.users`,
 * as `/accounts/{id}/users`); queries `accounts`, `account`, `invitations`,
 * `invitation`, `samlProviders`; mutations `createAccount`, `updateAccount`, `deleteAccount`,
 * `setSamlProvider`, `deleteSamlProvider`, `createInvitation`, `resendInvitation`,
 * `revokeInvitation`, `acceptInvitation`. Resolvers call core and return its domain shapes.
 */
import { acceptInvitation } from "../core/accounts/accept-invitation.ts";
import { createAccount } from "../core/accounts/create-account.ts";
import { deleteAccount } from "../core/accounts/delete-account.ts";
import type { InvitationView } from "../core/accounts/invitation-view.ts";
import { getInvitation, invite, listInvitations, resendInvitation, revokeInvitation } from "../core/accounts/invitations.ts";
import { getAccount, listAccounts, listAccountUsers, type PageOf } from "../core/accounts/list-accounts.ts";
import { updateAccount } from "../core/accounts/update-account.ts";
import type { AccountView } from "../core/accounts/view.ts";
import type { AuthSession } from "../core/auth/session.ts";
import { NotFoundError, ValidationError } from "../core/errors.ts";
import type { UserView } from "../core/users/view.ts";
import { ADMIN, operation, WRITE } from "../core/policy/operation.ts";
import { deleteSamlProvider, listSamlProviders, setSamlProvider, type SamlProviderView } from "../core/saml/settings.ts";
import type { Builder } from "./builder.ts";

const v = <T>(x: T | null | undefined): T | undefined => (x === null ? undefined : x);

async function orNull<T>(load: () => Promise<T>): Promise<T | null> {
  try {
    return await load();
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
}

/** Adds the account, invitation and SAML provider types and fields to the system schema. */
export function addAccountFields(b: Builder, authPayload: PothosSchemaTypes.ObjectRef<any, AuthSession>): void {
  const pageFields = <T>(t: PothosSchemaTypes.ObjectFieldBuilder<any, PageOf<T>>) => ({
    total: t.exposeInt("total"),
    page: t.exposeInt("page"),
    pageSize: t.exposeInt("pageSize"),
    totalPages: t.exposeInt("totalPages"),
  });
  const accountUser = b.objectRef<UserView>("AccountUser").implement({
    description: "A user of an account as /accounts/{id}/users shows it.",
    fields: (t) => ({
      id: t.exposeID("id"),
      email: t.exposeString("email"),
      name: t.exposeString("name", { nullable: true }),
      roleId: t.exposeInt("roleId"),
      roleName: t.exposeString("roleName"),
      isActive: t.exposeBoolean("isActive"),
      authProvider: t.exposeString("authProvider"),
      emailVerified: t.exposeBoolean("emailVerified"),
      created: t.field({ type: "DateTime", resolve: (u) => u.created }),
      lastLogin: t.field({ type: "DateTime", nullable: true, resolve: (u) => u.lastLogin }),
    }),
  });
  const accountUserList = b.objectRef<PageOf<UserView>>("AccountUserList").implement({
    fields: (t) => ({ items: t.field({ type: [accountUser], resolve: (p) => p.items }), ...pageFields(t) }),
  });
  const account = b.objectRef<AccountView>("AccountDetails").implement({
    description: "A tenant account as the accounts API shows it (superadmins: all; account admins: their own).",
    fields: (t) => ({
      id: t.exposeID("id"),
      code: t.exposeString("code", { nullable: true, description: "SnackBase code, e.g. AB1234 (null for the default account)" }),
      slug: t.exposeString("slug"),
      name: t.exposeString("name"),
      usersCount: t.exposeInt("usersCount"),
      users: t.field({
        type: accountUserList,
        description: "The account's users, oldest first (page from 1, pageSize 1–100, default 25), as /accounts/{id}/users.",
        args: { page: t.arg.int(), pageSize: t.arg.int() },
        resolve: (a, args, { cairn }) => {
          if ((args.page ?? 1) < 1) throw new ValidationError("page must be at least 1", { page: "must be at least 1" });
          if (args.pageSize != null && (args.pageSize < 1 || args.pageSize > 100)) throw new ValidationError("pageSize must be between 1 and 100", { pageSize: "must be between 1 and 100" });
          return listAccountUsers(cairn, a.id, { page: v(args.page), pageSize: v(args.pageSize) });
        },
      }),
      created: t.field({ type: "DateTime", resolve: (a) => a.created }),
      updated: t.field({ type: "DateTime", resolve: (a) => a.updated }),
    }),
  });
  const accountList = b.objectRef<PageOf<AccountView>>("AccountList").implement({
    fields: (t) => ({ items: t.field({ type: [account], resolve: (p) => p.items }), ...pageFields(t) }),
  });
  const invitation = b.objectRef<InvitationView>("Invitation").implement({
    description: "An invitation to join an account; accepted with the mailed token.",
    fields: (t) => ({
      id: t.exposeID("id"),
      accountId: t.exposeID("accountId"),
      accountName: t.exposeString("accountName"),
      email: t.exposeString("email"),
      roleId: t.exposeInt("roleId"),
      roleName: t.exposeString("roleName"),
      status: t.exposeString("status", { description: "pending, accepted, revoked or expired" }),
      invitedBy: t.exposeString("invitedBy", { nullable: true }),
      expiresAt: t.field({ type: "DateTime", resolve: (i) => i.expiresAt }),
      acceptedAt: t.field({ type: "DateTime", nullable: true, resolve: (i) => i.acceptedAt }),
      acceptedBy: t.exposeString("acceptedBy", { nullable: true }),
      sentCount: t.exposeInt("sentCount"),
      created: t.field({ type: "DateTime", resolve: (i) => i.created }),
      updated: t.field({ type: "DateTime", resolve: (i) => i.updated }),
    }),
  });
  const invitationList = b.objectRef<PageOf<InvitationView>>("InvitationList").implement({
    fields: (t) => ({ items: t.field({ type: [invitation], resolve: (p) => p.items }), ...pageFields(t) }),
  });
  const samlProvider = b.objectRef<SamlProviderView>("SamlProvider").implement({
    description: "A SAML identity provider of an account (one per flavour: azure, okta, generic).",
    fields: (t) => ({
      accountId: t.exposeID("accountId"),
      provider: t.exposeString("provider"),
      entityId: t.exposeString("entityId"),
      ssoUrl: t.exposeString("ssoUrl"),
      certificate: t.exposeString("certificate"),
      certificateFingerprint: t.exposeString("certificateFingerprint"),
      certificateExpires: t.field({ type: "DateTime", resolve: (p) => p.certificateExpires }),
      enabled: t.exposeBoolean("enabled"),
      allowIdpInitiated: t.exposeBoolean("allowIdpInitiated", { description: "IdP-initiated (unsolicited) responses are accepted" }),
      created: t.field({ type: "DateTime", resolve: (p) => p.created }),
      updated: t.field({ type: "DateTime", resolve: (p) => p.updated }),
    }),
  });

  b.queryFields((t) => ({
    accounts: t.field({
      type: accountList,
      description: "Accounts, newest first (superadmins: all; account admins: their own).",
      args: { search: t.arg.string(), page: t.arg.int(), pageSize: t.arg.int(), sortBy: t.arg.string(), sortOrder: t.arg.string({ description: "asc or desc" }) },
      resolve: (_r, a, { cairn }) =>
        listAccounts(cairn, { search: a.search, page: v(a.page), pageSize: v(a.pageSize), sortBy: a.sortBy, sortOrder: a.sortOrder === "asc" ? "asc" : a.sortOrder === "desc" ? "desc" : undefined }),
    }),
    account: t.field({
      type: account,
      nullable: true,
      description: "An account by id, code or slug; null when absent or not yours.",
      args: { id: t.arg.id({ required: true }) },
      resolve: (_r, a, { cairn }) => orNull(() => getAccount(cairn, String(a.id))),
    }),
    samlProviders: t.field({
      type: [samlProvider],
      description: "The account's SAML identity providers.",
      args: { accountId: t.arg.id({ required: true }) },
      resolve: (_r, a, { cairn }) => listSamlProviders(cairn, String(a.accountId)),
    }),
    invitations: t.field({
      type: invitationList,
      description: "Invitations, newest first (account admins: their account; superadmins: any).",
      args: { status: t.arg.string(), accountId: t.arg.id(), page: t.arg.int(), pageSize: t.arg.int() },
      resolve: (_r, a, { cairn }) => listInvitations(cairn, { status: a.status, accountId: a.accountId == null ? null : String(a.accountId), page: v(a.page), pageSize: v(a.pageSize) }),
    }),
    invitation: t.field({
      type: invitation,
      nullable: true,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_r, a, { cairn }) => orNull(() => getInvitation(cairn, String(a.id))),
    }),
  }));

  b.mutationFields((t) => ({
    createAccount: t.field({
      type: account,
      extensions: { operation: ADMIN },
      args: { name: t.arg.string({ required: true }), slug: t.arg.string({ description: "derived from the name when absent" }) },
      resolve: (_r, a, { cairn }) => createAccount(cairn, { name: a.name, slug: a.slug }),
    }),
    updateAccount: t.field({
      type: account,
      extensions: { operation: WRITE },
      args: { id: t.arg.id({ required: true }), name: t.arg.string(), slug: t.arg.string({ description: "superadmins only" }) },
      resolve: (_r, a, { cairn }) => updateAccount(cairn, String(a.id), { name: a.name, slug: a.slug }),
    }),
    deleteAccount: t.field({
      type: account,
      extensions: { operation: ADMIN },
      description: "Deletes an account with all its data (superadmins); returns it as it was.",
      args: { id: t.arg.id({ required: true }) },
      resolve: (_r, a, { cairn }) => deleteAccount(cairn, String(a.id)),
    }),
    setSamlProvider: t.field({
      type: samlProvider,
      extensions: { operation: WRITE },
      args: {
        accountId: t.arg.id({ required: true }),
        provider: t.arg.string({ required: true, description: "azure, okta or generic" }),
        entityId: t.arg.string({ required: true }),
        ssoUrl: t.arg.string({ required: true }),
        certificate: t.arg.string({ required: true, description: "PEM or base64" }),
        enabled: t.arg.boolean(),
        allowIdpInitiated: t.arg.boolean({ description: "accept IdP-initiated (unsolicited) responses (default false)" }),
      },
      resolve: (_r, a, { cairn }) =>
        setSamlProvider(cairn, String(a.accountId), a.provider, {
          entityId: a.entityId,
          ssoUrl: a.ssoUrl,
          certificate: a.certificate,
          enabled: v(a.enabled),
          allowIdpInitiated: v(a.allowIdpInitiated),
        }),
    }),
    deleteSamlProvider: t.boolean({
      extensions: { operation: WRITE },
      args: { accountId: t.arg.id({ required: true }), provider: t.arg.string({ required: true }) },
      resolve: async (_r, a, { cairn }) => {
        await deleteSamlProvider(cairn, String(a.accountId), a.provider);
        return true;
      },
    }),
    createInvitation: t.field({
      type: invitation,
      extensions: { operation: WRITE },
      description: "Invites an e-mail address (mails a single-use token).",
      args: { email: t.arg.string({ required: true }), roleId: t.arg.string({ description: "role id or name; default user" }), accountId: t.arg.id({ description: "default: your account" }) },
      resolve: (_r, a, { cairn }) => invite(cairn, { email: a.email, roleId: v(a.roleId), accountId: a.accountId == null ? null : String(a.accountId) }),
    }),
    resendInvitation: t.field({
      type: invitation,
      extensions: { operation: WRITE },
      args: { id: t.arg.id({ required: true }) },
      resolve: (_r, a, { cairn }) => resendInvitation(cairn, String(a.id)),
    }),
    revokeInvitation: t.field({
      type: invitation,
      extensions: { operation: WRITE },
      args: { id: t.arg.id({ required: true }) },
      resolve: (_r, a, { cairn }) => revokeInvitation(cairn, String(a.id)),
    }),
    acceptInvitation: t.field({
      type: authPayload,
      extensions: { operation: operation("write", "register") },
      description: "Accepts an invitation with the mailed token and a password; signs in.",
      args: { token: t.arg.string({ required: true }), password: t.arg.string({ required: true }), name: t.arg.string() },
      resolve: (_r, a, { cairn }) => acceptInvitation(cairn, { token: a.token, password: a.password, name: a.name }),
    }),
  }));
}
