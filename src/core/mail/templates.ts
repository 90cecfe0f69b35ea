/**
 * The texts of the mails Cairn sends. Each carries the raw token on a line of its own
 * (`Token: …`) and, when CAIRN_PUBLIC_URL is set, a link that passes it as `?token=`.
 */
import type { Config } from "../../config.ts";
import type { MailMessage } from "./send.ts";

function link(config: Pick<Config, "publicUrl">, path: string, token: string): string | undefined {
  return config.publicUrl ? `${config.publicUrl}${path}?token=${encodeURIComponent(token)}` : undefined;
}

function body(lines: (string | undefined)[]): string {
  return lines.filter((l) => l !== undefined).join("\n");
}

/** The "confirm your address" mail. */
export function verificationMail(config: Pick<Config, "publicUrl">, to: string, token: string, ttlSeconds: number): MailMessage {
  const url = link(config, "/verify-email", token);
  return {
    to,
    kind: "verify_email",
    subject: "Verify your email address",
    text: body([
      "Confirm your email address for Cairn.",
      "",
      url ? `Open this link: ${url}` : undefined,
      `Token: ${token}`,
      "",
      `The token expires in ${Math.round(ttlSeconds / 60)} minutes. If you did not sign up, ignore this mail.`,
    ]),
  };
}

/** The "reset your password" mail. */
export function passwordResetMail(config: Pick<Config, "publicUrl">, to: string, token: string, ttlSeconds: number): MailMessage {
  const url = link(config, "/reset-password", token);
  return {
    to,
    kind: "reset_password",
    subject: "Reset your password",
    text: body([
      "Someone asked to reset the password of your Cairn account.",
      "",
      url ? `Open this link: ${url}` : undefined,
      `Token: ${token}`,
      "",
      `The token works once and expires in ${Math.round(ttlSeconds / 60)} minutes. If you did not ask for it, ignore this mail; your password stays as it is.`,
    ]),
  };
}

/** The "you are invited to join an account" mail (accounts/invite.ts). */
export function invitationMail(config: Pick<Config, "publicUrl">, to: string, accountName: string, token: string, ttlSeconds: number): MailMessage {
  const url = link(config, "/accept-invitation", token);
  return {
    to,
    kind: "invitation",
    subject: `You are invited to join ${accountName}`,
    text: body([
      `You have been invited to join the account "${accountName}" on Cairn.`,
      "",
      url ? `Open this link to accept: ${url}` : undefined,
      `Token: ${token}`,
      "",
      `Accept it by choosing a password (POST /api/v1/invitations/accept with the token). The token works once and expires in ${Math.round(ttlSeconds / 3600)} hours. If you did not expect it, ignore this mail.`,
    ]),
  };
}
