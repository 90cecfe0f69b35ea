/**
 * Content types of uploads: a small extension table for parts sent without a useful type, the
 * magic numbers of the formats whose bytes can be told (a file declared `image/png` must be
 * one), and which types a browser may render inline (everything else is served as an
 * attachment: HTML, SVG, XML and scripts run in the site's origin when rendered).
 */
const BY_EXTENSION: ReadonlyMap<string, string> = new Map([
  ["jpg", "image/jpeg"],
  ["jpeg", "image/jpeg"],
  ["png", "image/png"],
  ["gif", "image/gif"],
  ["webp", "image/webp"],
  ["avif", "image/avif"],
  ["svg", "image/svg+xml"],
  ["pdf", "application/pdf"],
  ["zip", "application/zip"],
  ["txt", "text/plain"],
  ["csv", "text/csv"],
  ["json", "application/json"],
  ["html", "text/html"],
  ["htm", "text/html"],
  ["xml", "application/xml"],
  ["js", "text/javascript"],
  ["mp4", "video/mp4"],
  ["mp3", "audio/mpeg"],
  ["xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
  ["docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
]);

const TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/**
 * The type an upload is stored with: the declared type (lower-case, without parameters) when it
 * is a well-formed type other than `application/octet-stream`, else the one of its extension,
 * else `application/octet-stream`.
 */
export function uploadType(declared: string | undefined, name: string): string {
  const t = (declared ?? "").split(";")[0]!.trim().toLowerCase();
  if (TYPE.test(t) && t !== "application/octet-stream") return t;
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return (ext && BY_EXTENSION.get(ext)) || "application/octet-stream";
}

const MAGIC: readonly (readonly [string, (b: Buffer) => boolean])[] = [
  ["image/png", (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ["image/jpeg", (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ["image/gif", (b) => b.subarray(0, 4).toString("latin1") === "GIF8"],
  ["image/webp", (b) => b.subarray(0, 4).toString("latin1") === "RIFF" && b.subarray(8, 12).toString("latin1") === "WEBP"],
  ["application/pdf", (b) => b.subarray(0, 5).toString("latin1") === "%PDF-"],
  ["application/zip", (b) => b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5 || b[2] === 7)],
];
const CHECKED: ReadonlyMap<string, (b: Buffer) => boolean> = new Map(MAGIC);

/** Bytes needed to check a magic number. */
export const SNIFF_BYTES = 12;

/**
 * A problem when the first bytes of a file contradict its type (a "PNG" that is not one), else
 * undefined. Types without a known magic number are not checked.
 */
export function contentMismatch(type: string, head: Buffer): string | undefined {
  const check = CHECKED.get(type);
  if (!check || check(head)) return undefined;
  return `The file's content is not ${type} as its type says`;
}

/** Image types thumbnails are made of. */
export const THUMBNAIL_TYPES: ReadonlySet<string> = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"]);

const INLINE: ReadonlySet<string> = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "application/pdf", "text/plain", "text/csv"]);

/** True when browsers may show the type inline; others (HTML, SVG, XML, scripts…) download as attachments. */
export function safeInline(type: string): boolean {
  return INLINE.has(type) || type.startsWith("video/") || type.startsWith("audio/");
}

/** True when `type` matches one of `patterns` (`image/png`, `image/*`, `*`). */
export function typeAllowed(type: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => p === "*" || p === "*/*" || p === type || (p.endsWith("/*") && type.startsWith(p.slice(0, -1))));
}

/** A file name without any directory part, control or path characters; at most 255 characters; never empty. */
export function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? "").split(/[/\\]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex
  const name = base.replace(/[\u0000-\u001f\u007f"]/g, "").trim();
  const safe = name === "." || name === ".." ? "" : name;
  return (safe || "file").slice(0, 255);
}
