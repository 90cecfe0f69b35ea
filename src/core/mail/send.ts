/**
 * Outgoing mail. Every message is first written to the `_mail` table; when `SMTP_URL` is set it
 * is then sent through nodemailer in the background and the row records `sent` or `failed`
 * (with the error), otherwise the row stays `stored` — the local outbox that admins read at
 * GET /api/v1/mail (and tests read to pick up tokens).
 *
 * Sending never delays or fails the request that caused it: a slow or broken SMTP server must
 * not make "forgot password" slower for existing addresses than for unknown ones.
 */
import { v7 as uuidv7 } from "uuid";
import type { Transporter } from "nodemailer";
import type { Config } from "../../config.ts";
import type { Context } from "../context.ts";

export type MailKind = "verify_email" | "reset_password" | (string & {});

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  kind: MailKind;
}

export interface QueuedMail {
  id: string;
  /** `stored` (no SMTP configured) or `queued` (being sent) */
  status: "stored" | "queued";
  /** resolves when the SMTP attempt has been recorded (at once for stored mail) */
  delivered: Promise<void>;
}

/**
 * One SMTP transport per configuration (pooled connections), created on first use. nodemailer
 * is loaded then too: an install without SMTP_URL never loads it.
 */
const transports = new WeakMap<Config, Promise<Transporter>>();

function transportFor(config: Config): Promise<Transporter> {
  let t = transports.get(config);
  if (!t) {
    t = import("nodemailer").then(({ default: nodemailer }) => nodemailer.createTransport(config.smtpUrl!));
    transports.set(config, t);
  }
  return t;
}

/**
 * Records a message in the outbox and, with SMTP configured, sends it in the background.
 * Throws only when the outbox row cannot be written.
 */
export async function sendMail(ctx: Context, message: MailMessage): Promise<QueuedMail> {
  const { prisma, config } = ctx.services;
  const id = uuidv7();
  const status = config.smtpUrl ? "queued" : "stored";
  await prisma.mail.create({
    data: { id, to: message.to, subject: message.subject, text: message.text, html: message.html ?? null, kind: message.kind, status, created: ctx.services.now() },
  });
  if (!config.smtpUrl) return { id, status: "stored", delivered: Promise.resolve() };
  const delivered = transportFor(config)
    .then((transport) => transport.sendMail({ from: config.mailFrom, to: message.to, subject: message.subject, text: message.text, ...(message.html ? { html: message.html } : {}) }))
    .then(
      () => prisma.mail.update({ where: { id }, data: { status: "sent", sentAt: ctx.services.now() } }),
      (err: unknown) => {
        ctx.log.warn({ err, mailId: id }, "mail delivery failed");
        return prisma.mail.update({ where: { id }, data: { status: "failed", error: err instanceof Error ? err.message.slice(0, 1000) : String(err) } });
      },
    )
    .then(
      () => undefined,
      (err: unknown) => ctx.log.error({ err, mailId: id }, "mail status update failed"),
    );
  return { id, status: "queued", delivered };
}
