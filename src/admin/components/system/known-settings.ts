// The settings Cairn reads (README "Settings"), with the input each needs and its default. Other
// keys are custom: any JSON value.
export type SettingKind = "boolean" | "integer" | "number" | "cron" | "list" | "json";

export interface KnownSetting {
  key: string;
  category: string;
  kind: SettingKind;
  /** the value in effect while the key is not set, in words */
  fallback: string;
  help: string;
}

export const CATEGORIES = ["app", "auth", "mail", "backup", "storage", "security", "custom"];

const rateTiers: [string, number, number][] = [
  ["anonymous", 60, 500],
  ["user", 100, 1000],
  ["admin", 300, 5000],
  ["login", 10, 50],
  ["register", 5, 20],
  ["forgot_password", 3, 10],
];

export const KNOWN_SETTINGS: KnownSetting[] = [
  { key: "maintenance_mode", category: "app", kind: "boolean", fallback: "off", help: "While on, writes and admin operations by anyone but a superadmin answer 503." },
  { key: "events_retention_hours", category: "app", kind: "number", fallback: "24", help: "Hours delivered events stay in the outbox." },
  { key: "webhook_log_retention_hours", category: "app", kind: "number", fallback: "168", help: "Hours finished webhook deliveries stay in the delivery log." },
  { key: "content_versions_keep", category: "app", kind: "integer", fallback: "50", help: "Versions kept per document of a collection with versions." },
  { key: "backup_schedule", category: "backup", kind: "cron", fallback: "no schedule", help: "Cron expression in UTC (e.g. 0 3 * * *); empty turns scheduled backups off." },
  { key: "backup_keep", category: "backup", kind: "integer", fallback: "7", help: "Scheduled backups kept; older ones are deleted after each run." },
  { key: "max_upload_size", category: "storage", kind: "integer", fallback: "10485760 (10 MiB)", help: "Upload size limit in bytes." },
  { key: "allowed_file_types", category: "storage", kind: "list", fallback: "FastCMS's list", help: "MIME types uploads may have: one per line, type/* patterns or *." },
  { key: "orphan_file_grace_hours", category: "storage", kind: "number", fallback: "24", help: "Hours before uploads no record took are deleted." },
  { key: "rate_limit_enabled", category: "security", kind: "boolean", fallback: "on", help: "Off turns request rate limits off at run time." },
  ...rateTiers.flatMap(([tier, minute, hour]): KnownSetting[] => [
    { key: `rate_limit_${tier}_per_minute`, category: "security", kind: "integer", fallback: String(minute), help: `Requests per minute for the ${tier.replace("_", " ")} tier.` },
    { key: `rate_limit_${tier}_per_hour`, category: "security", kind: "integer", fallback: String(hour), help: `Requests per hour for the ${tier.replace("_", " ")} tier.` },
  ]),
  { key: "login_lockout_attempts", category: "security", kind: "integer", fallback: "5", help: "Failed logins before an address is locked; 0 turns lockout off." },
  { key: "login_lockout_window_minutes", category: "security", kind: "integer", fallback: "15", help: "Minutes in which failed logins are counted." },
  { key: "login_lockout_minutes", category: "security", kind: "integer", fallback: "15", help: "Minutes a locked address stays locked." },
  { key: "r3_rate_limit_per_minute", category: "security", kind: "integer", fallback: "60", help: "Requests per minute per API key on the R3 API." },
  { key: "r3_rate_limit_per_day", category: "security", kind: "integer", fallback: "10000", help: "Requests per day per API key on the R3 API." },
];

export const knownSetting = (key: string): KnownSetting | undefined => KNOWN_SETTINGS.find((s) => s.key === key);

/** The text an input shows for a stored value. */
export function toInput(kind: SettingKind, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (kind === "list" && Array.isArray(value)) return value.join("\n");
  if (kind === "json") return typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The value to send for what was typed. Numbers that do not read as numbers are sent as typed,
 * so the server says what is wrong with them; custom values are JSON, or else text.
 */
export function fromInput(kind: SettingKind, text: string): unknown {
  const t = text.trim();
  switch (kind) {
    case "boolean":
      return t === "true";
    case "integer":
    case "number":
      return t !== "" && Number.isFinite(Number(t)) ? Number(t) : t;
    case "cron":
      return t;
    case "list":
      return t
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean);
    case "json":
      try {
        return JSON.parse(t);
      } catch {
        return text;
      }
  }
}
