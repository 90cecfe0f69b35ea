/**
 * `listMail`: the outbox as admins read it (newest first).
 */
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { normalizeEmail } from "../auth/email.ts";

export interface OutboxQuery {
  /** recipient address (exact, case-insensitive) */
  to?: string | null;
  kind?: string | null;
  /** 1–500, default 50 */
  limit?: number;
}

export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  kind: string;
  status: string;
  error: string | null;
  created: Date;
  sentAt: Date | null;
}

/** Lists stored, queued, sent and failed mail. Superadmin only (401/403 otherwise). */
export async function listMail(ctx: Context, query: OutboxQuery): Promise<OutboxMail[]> {
  requireSuperadmin(ctx);
  return ctx.services.prisma.mail.findMany({
    where: { ...(query.to ? { to: normalizeEmail(query.to) } : {}), ...(query.kind ? { kind: query.kind } : {}) },
    orderBy: [{ created: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(query.limit ?? 50, 1), 500),
  });
}
