/**
 * Configuration: the only module that reads the environment. Parsed once into a frozen object;
 * `.env` in the working directory is loaded first when present (real environment wins).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export type Dialect = "sqlite" | "postgres";

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly dialect: Dialect;
  readonly redisUrl: string | undefined;
  readonly dataDir: string;
  /** signs tokens; when unset, generated once into the data dir by the app */
  readonly secret: string | undefined;
  readonly adminEmail: string | undefined;
  readonly adminPassword: string | undefined;
  /** SMTP server for outgoing mail (`smtp://user:pass@host:587`, `smtps://…`); unset: mail stays in the outbox table */
  readonly smtpUrl: string | undefined;
  /** From address of outgoing mail */
  readonly mailFrom: string;
  readonly webhookAllowPrivate: boolean;
  /** `NODE_ENV`, reported by `/health` */
  readonly environment: string;
  /** time limit of one webhook delivery attempt (connect, send, answer), ms */
  readonly webhookTimeoutMs: number;
  /** wait before a webhook's first retry, ms; each next retry waits 4× longer (±20% jitter, at most 1 h) */
  readonly webhookBackoffMs: number;
  readonly logLevel: string;
  /** access token lifetime, seconds */
  readonly accessTokenTtl: number;
  /** refresh token lifetime, seconds */
  readonly refreshTokenTtl: number;
  /** maximum JSON body size, bytes */
  readonly bodyLimit: number;
  /** GraphQL introspection (and GraphiQL); on unless CAIRN_GRAPHQL_INTROSPECTION=false */
  readonly graphqlIntrospection: boolean;
  /** channel prefix for the Redis relay; default derived from the database so instances sharing it meet */
  readonly redisPrefix: string | undefined;
  /** public base URL (e.g. https://cms.example.com) for OAuth redirect URIs; else taken from the request */
  readonly publicUrl: string | undefined;
  /** request rate limits (README "Rate limits"); on unless CAIRN_RATE_LIMIT=false */
  readonly rateLimitEnabled: boolean;
  /** origins allowed to call the API from a browser (CORS, without credentials); `["*"]`: any */
  readonly corsOrigins: readonly string[];
  /** serve Prometheus metrics at /metrics (CAIRN_METRICS=true, or implied by a token) */
  readonly metricsEnabled: boolean;
  /** bearer token /metrics requires (CAIRN_METRICS_TOKEN); unset: open when enabled */
  readonly metricsToken: string | undefined;
  /** CAIRN_DEBUG: error bodies of the Fullfinity dialect carry a `traceback` */
  readonly debug: boolean;
  /** days an old collection or field name keeps working after a rename (README "Renames"); 0: none */
  readonly renameGraceDays: number;
  /** byte budget of cached list pages (`CAIRN_LIST_CACHE_MB`; 0 turns page caching off) */
  readonly listCacheBytes: number;
  /** OAuth providers with a client id configured (README "OAuth") */
  readonly oauth: Readonly<Partial<Record<OAuthProviderName, OAuthProviderConfig>>>;
  /** where uploaded files are kept (README "Files"): `<data dir>/files`, or an S3 bucket */
  readonly storage: StorageConfig;
}

/** `CAIRN_S3_*`: the bucket files go to when S3 storage is chosen. */
export interface S3Config {
  readonly bucket: string;
  /** S3-compatible servers (MinIO, R2…); unset: AWS */
  readonly endpoint: string | undefined;
  readonly region: string;
  /** unset: the AWS SDK's default credential chain (AWS_ACCESS_KEY_ID, profiles, instance roles) */
  readonly accessKeyId: string | undefined;
  readonly secretAccessKey: string | undefined;
  readonly forcePathStyle: boolean;
  /** key prefix inside the bucket, e.g. `cairn/` (may be empty) */
  readonly prefix: string;
}

export type StorageConfig = { readonly kind: "local" } | { readonly kind: "s3"; readonly s3: S3Config };

export const OAUTH_PROVIDERS = ["google", "github", "microsoft", "apple"] as const;
export type OAuthProviderName = (typeof OAUTH_PROVIDERS)[number];

/** `CAIRN_OAUTH_<PROVIDER>_<NAME>` (or the FastCMS spelling `<PROVIDER>_<NAME>`); unset URLs use the provider's defaults. */
export interface OAuthProviderConfig {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly authorizationUrl: string | undefined;
  readonly tokenUrl: string | undefined;
  readonly userinfoUrl: string | undefined;
  /** GitHub: the e-mail list endpoint (`/user/emails`) */
  readonly emailsUrl: string | undefined;
  readonly issuer: string | undefined;
  readonly redirectUri: string | undefined;
  /** space-separated */
  readonly scopes: string | undefined;
  /** Microsoft: tenant (default `common`) */
  readonly tenant: string | undefined;
  /** Apple: client secret minted from these when CLIENT_SECRET is unset */
  readonly teamId: string | undefined;
  readonly keyId: string | undefined;
  readonly privateKey: string | undefined;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** CAIRN_RENAME_GRACE_DAYS: a non-negative number of days (fractions allowed), default 30. */
function graceDays(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 30;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 3650) throw new ConfigError(`CAIRN_RENAME_GRACE_DAYS must be a number of days between 0 and 3650, got '${raw}'`);
  return n;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got '${raw}'`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? "").trim().toLowerCase();
  if (raw === "" || raw === "false" || raw === "0" || raw === "no") return false;
  if (raw === "true" || raw === "1" || raw === "yes") return true;
  throw new ConfigError(`${name} must be true or false, got '${env[name]}'`);
}

/** pino's levels, quietest last. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function logLevel(env: NodeJS.ProcessEnv): string {
  const raw = (env.LOG_LEVEL ?? "").trim();
  if (raw === "") return "info";
  const level = raw.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got '${raw}'`);
  return level;
}

function url(name: string, value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!URL.canParse(value) || !/^https?:/.test(value)) throw new ConfigError(`${name} must be an http(s) URL, got '${value}'`);
  return value;
}

function oauthProviders(env: NodeJS.ProcessEnv): Partial<Record<OAuthProviderName, OAuthProviderConfig>> {
  const out: Partial<Record<OAuthProviderName, OAuthProviderConfig>> = {};
  for (const p of OAUTH_PROVIDERS) {
    const P = p.toUpperCase();
    const name = (k: string) => (env[`CAIRN_OAUTH_${P}_${k}`] ? `CAIRN_OAUTH_${P}_${k}` : `${P}_${k}`);
    const v = (k: string) => env[`CAIRN_OAUTH_${P}_${k}`] || env[`${P}_${k}`] || undefined;
    const u = (k: string) => url(name(k), v(k));
    const clientId = v("CLIENT_ID");
    if (!clientId) continue;
    out[p] = Object.freeze({
      clientId,
      clientSecret: v("CLIENT_SECRET"),
      authorizationUrl: u("AUTHORIZATION_URL"),
      tokenUrl: u("TOKEN_URL"),
      userinfoUrl: u("USERINFO_URL"),
      emailsUrl: u("EMAILS_URL"),
      issuer: u("ISSUER"),
      redirectUri: u("REDIRECT_URI"),
      scopes: v("SCOPES"),
      tenant: v("TENANT"),
      teamId: v("TEAM_ID"),
      keyId: v("KEY_ID"),
      privateKey: v("PRIVATE_KEY")?.replace(/\\n/g, "\n"),
    });
  }
  return out;
}

function smtp(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!URL.canParse(value) || !/^smtps?:/.test(value)) throw new ConfigError(`SMTP_URL must be an smtp:// or smtps:// URL, got '${value}'`);
  return value;
}

/** `CAIRN_CORS_ORIGINS`: `*` or a comma-separated list of origins (`https://app.example.com`). */
function corsOrigins(value: string | undefined): readonly string[] {
  const list = (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0 || list.includes("*")) return Object.freeze(["*"]);
  for (const origin of list) {
    if (!URL.canParse(origin) || !/^https?:$/.test(new URL(origin).protocol) || new URL(origin).origin !== origin.replace(/\/$/, "")) {
      throw new ConfigError(`CAIRN_CORS_ORIGINS must be * or a comma-separated list of origins like https://app.example.com, got '${origin}'`);
    }
  }
  return Object.freeze(list.map((o) => new URL(o).origin));
}

/** `CAIRN_STORAGE` (local | s3; default s3 when CAIRN_S3_BUCKET is set) and the `CAIRN_S3_*` keys. */
function storage(env: NodeJS.ProcessEnv): StorageConfig {
  const bucket = env.CAIRN_S3_BUCKET || undefined;
  const kind = (env.CAIRN_STORAGE ?? "").trim().toLowerCase() || (bucket ? "s3" : "local");
  if (kind !== "local" && kind !== "s3") throw new ConfigError(`CAIRN_STORAGE must be local or s3, got '${env.CAIRN_STORAGE}'`);
  if (kind === "local") return Object.freeze({ kind });
  if (!bucket) throw new ConfigError("CAIRN_STORAGE=s3 needs CAIRN_S3_BUCKET");
  const endpoint = url("CAIRN_S3_ENDPOINT", env.CAIRN_S3_ENDPOINT);
  const accessKeyId = env.CAIRN_S3_ACCESS_KEY_ID || undefined;
  const secretAccessKey = env.CAIRN_S3_SECRET_ACCESS_KEY || undefined;
  if (!accessKeyId !== !secretAccessKey) throw new ConfigError("CAIRN_S3_ACCESS_KEY_ID and CAIRN_S3_SECRET_ACCESS_KEY must be set together");
  const prefix = (env.CAIRN_S3_PREFIX ?? "").replace(/^\/+/, "");
  if (prefix && !/^[A-Za-z0-9_\-/]+\/$/.test(prefix)) throw new ConfigError(`CAIRN_S3_PREFIX must be letters, digits, _ - / ending in /, got '${prefix}'`);
  const s3: S3Config = {
    bucket,
    endpoint,
    region: env.CAIRN_S3_REGION || "us-east-1",
    accessKeyId,
    secretAccessKey,
    forcePathStyle: (env.CAIRN_S3_FORCE_PATH_STYLE ?? "") === "" ? endpoint !== undefined : bool(env, "CAIRN_S3_FORCE_PATH_STYLE"),
    prefix,
  };
  return Object.freeze({ kind, s3: Object.freeze(s3) });
}

/** Load `.env` (if any) into process.env without overriding what is already set. */
export function loadDotEnv(path = ".env"): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** Parse configuration from an environment (defaults documented in README "Configuration"). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const dataDir = resolve(overrides.dataDir ?? env.CAIRN_DATA_DIR ?? "./data");
  const databaseUrl = overrides.databaseUrl ?? (env.DATABASE_URL || `file:${resolve(dataDir, "cairn.db")}`);
  let dialect: Dialect;
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) dialect = "postgres";
  else if (databaseUrl.startsWith("file:")) dialect = "sqlite";
  else throw new ConfigError(`DATABASE_URL must start with file: or postgres://, got '${databaseUrl}'`);
  const config: Config = {
    port: int(env, "PORT", 8000, 0, 65535),
    host: env.HOST || "127.0.0.1",
    databaseUrl,
    dialect,
    redisUrl: env.REDIS_URL || undefined,
    dataDir,
    secret: env.CAIRN_SECRET || undefined,
    adminEmail: env.CAIRN_ADMIN_EMAIL || undefined,
    adminPassword: env.CAIRN_ADMIN_PASSWORD || undefined,
    smtpUrl: smtp(env.SMTP_URL),
    mailFrom: env.CAIRN_MAIL_FROM || "Cairn <no-reply@localhost>",
    webhookAllowPrivate: bool(env, "CAIRN_WEBHOOK_ALLOW_PRIVATE"),
    environment: env.NODE_ENV || "development",
    webhookTimeoutMs: int(env, "CAIRN_WEBHOOK_TIMEOUT_MS", 10_000, 100, 300_000),
    webhookBackoffMs: int(env, "CAIRN_WEBHOOK_BACKOFF_MS", 4000, 10, 3_600_000),
    logLevel: logLevel(env),
    accessTokenTtl: int(env, "CAIRN_ACCESS_TOKEN_TTL", 3600, 10),
    refreshTokenTtl: int(env, "CAIRN_REFRESH_TOKEN_TTL", 30 * 24 * 3600, 60),
    bodyLimit: int(env, "CAIRN_BODY_LIMIT", 1024 * 1024, 1024),
    graphqlIntrospection: (env.CAIRN_GRAPHQL_INTROSPECTION ?? "") === "" || bool(env, "CAIRN_GRAPHQL_INTROSPECTION"),
    redisPrefix: env.CAIRN_REDIS_PREFIX || undefined,
    publicUrl: url("CAIRN_PUBLIC_URL", env.CAIRN_PUBLIC_URL)?.replace(/\/+$/, ""),
    rateLimitEnabled: (env.CAIRN_RATE_LIMIT ?? "") === "" || bool(env, "CAIRN_RATE_LIMIT"),
    corsOrigins: corsOrigins(env.CAIRN_CORS_ORIGINS),
    oauth: Object.freeze(oauthProviders(env)),
    storage: storage(env),
    metricsEnabled: bool(env, "CAIRN_METRICS") || Boolean(env.CAIRN_METRICS_TOKEN),
    metricsToken: env.CAIRN_METRICS_TOKEN || undefined,
    debug: bool(env, "CAIRN_DEBUG"),
    renameGraceDays: graceDays(env.CAIRN_RENAME_GRACE_DAYS),
    listCacheBytes: int(env, "CAIRN_LIST_CACHE_MB", 4, 0, 1024) * 1024 * 1024,
    ...overrides,
  };
  return Object.freeze(config);
}
