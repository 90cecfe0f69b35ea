/**
 * The first-run install link on the command line (core/auth/install-token.ts): `cairn serve`
 * announces it at start while no superadmin exists, and `cairn admin install-link` prints a fresh
 * one (the printed one expires after 30 minutes). The link points at the admin UI's "create the
 * first superadmin" form: CAIRN_PUBLIC_URL when set, else the address the server listens on.
 */
import { openDatabase, resolveSecret } from "./app.ts";
import type { Config } from "./config.ts";
import type { Services } from "./core/context.ts";
import { ConflictError } from "./core/errors.ts";
import { INSTALL_TOKEN_TTL_SECONDS, installLinkUrl, issueInstallToken, superadminExists } from "./core/auth/install-token.ts";
import { TokenService } from "./core/auth/tokens.ts";
import { createPrisma } from "./db/prisma.ts";

/** A listen address a browser can open: wildcard hosts become 127.0.0.1. */
function browsable(url: string): string {
  const u = new URL(url);
  if (u.hostname === "0.0.0.0" || u.hostname === "[::]") u.hostname = "127.0.0.1";
  return u.origin;
}

/** Where the configured server is reached: CAIRN_PUBLIC_URL, else HOST and PORT. */
export function configuredBaseUrl(cfg: Config, listenUrl?: string): string {
  if (cfg.publicUrl) return cfg.publicUrl;
  if (listenUrl) return browsable(listenUrl);
  const host = cfg.host.includes(":") ? `[${cfg.host}]` : cfg.host;
  return browsable(`http://${host}:${cfg.port}`);
}

/** The sentence that hands out the link. */
export function installLinkLine(url: string): string {
  return `Create the first superadmin: ${url}`;
}

/**
 * At start-up: when no superadmin exists, logs the install link at info and writes it plainly
 * for a person — on stdout when it is a terminal, on stderr otherwise (piped stdout carries the
 * JSON log lines, one object per line).
 */
export async function announceInstallLink(services: Services, listenUrl: string): Promise<void> {
  if (await superadminExists(services)) return;
  const { token, expiresAt } = await issueInstallToken(services);
  const line = installLinkLine(installLinkUrl(configuredBaseUrl(services.config, listenUrl), token));
  services.log.info({ expiresAt: expiresAt.toISOString() }, `${line} (valid ${INSTALL_TOKEN_TTL_SECONDS / 60} minutes; \`cairn admin install-link\` prints a new one)`);
  (process.stdout.isTTY ? process.stdout : process.stderr).write(`\n  ${line}\n  (valid ${INSTALL_TOKEN_TTL_SECONDS / 60} minutes)\n\n`);
}

/**
 * `cairn admin install-link`: prints a fresh install link on stdout. Throws ConflictError (exit
 * code 1) once a superadmin exists.
 */
export async function installLinkCommand(cfg: Config, log: Parameters<typeof openDatabase>[1]): Promise<void> {
  const db = await openDatabase(cfg, log);
  const prisma = await createPrisma(db);
  try {
    if (await superadminExists({ prisma })) throw new ConflictError("A superadmin already exists: sign in, or use `cairn admin create` to add another");
    const { token, expiresAt } = await issueInstallToken({ tokens: new TokenService(resolveSecret(cfg), cfg.accessTokenTtl) });
    console.log(installLinkLine(installLinkUrl(configuredBaseUrl(cfg), token)));
    console.error(`(valid until ${expiresAt.toISOString()}; it stops working once a superadmin exists)`);
  } finally {
    await prisma.$disconnect();
    await db.close();
  }
}
