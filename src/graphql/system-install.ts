/**
 * The first-run install link over GraphQL, the same core operations as
 * /api/v1/admin/install: the query `installLink(token)` (whether the link still works) and the
 * mutation `installSuperadmin(token, email, password)` (creates the first superadmin, signs in).
 * Both are public: the token is the credential.
 */
import { checkInstallToken } from "../core/auth/install-token.ts";
import { installSuperadmin } from "../core/auth/install-superadmin.ts";
import type { AuthSession } from "../core/auth/session.ts";
import { operation } from "../core/policy/operation.ts";
import type { Builder } from "./builder.ts";

/** Adds `installLink` and `installSuperadmin` to the system schema. */
export function addInstallFields(b: Builder, authPayload: PothosSchemaTypes.ObjectRef<any, AuthSession>): void {
  const status = b.objectRef<{ valid: true; expiresAt: Date }>("InstallLinkStatus").implement({
    description: "A first-run install link that still works.",
    fields: (t) => ({
      valid: t.exposeBoolean("valid"),
      expiresAt: t.field({ type: "DateTime", resolve: (s) => s.expiresAt }),
    }),
  });
  b.queryFields((t) => ({
    installLink: t.field({
      type: status,
      description: "Whether the install link with this token still works: BAD_REQUEST when it expired or is not valid, CONFLICT once a superadmin exists.",
      args: { token: t.arg.string({ required: true }) },
      resolve: (_r, a, { cairn }) => checkInstallToken(cairn, a.token),
    }),
  }));
  b.mutationFields((t) => ({
    installSuperadmin: t.field({
      type: authPayload,
      extensions: { operation: operation("session", "register") },
      description:
        "Creates the first superadmin with the install link's token (printed by `cairn serve` while none exists) and signs in. BAD_REQUEST for an expired or invalid token, CONFLICT once a superadmin exists, VALIDATION_ERROR naming email or password.",
      args: { token: t.arg.string({ required: true }), email: t.arg.string({ required: true }), password: t.arg.string({ required: true }), passwordConfirm: t.arg.string() },
      resolve: (_r, a, { cairn }) => installSuperadmin(cairn, { token: a.token, email: a.email, password: a.password, passwordConfirm: a.passwordConfirm }),
    }),
  }));
}
