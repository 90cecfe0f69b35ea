/**
 * FastCMS `fields=` on record reads (compat/fastcms.md §3): a comma list of the fields to return
 * inside `data` (`title,views`), or of fields to leave out (`-body`), with the PocketBase
 * modifier `name:excerpt(N[,true])` (text without markup, cut to N characters, `…` appended when
 * the second argument is true and the text was cut). System keys (`id`, `created`, `updated`,
 * `version`, `owner_id`) are always returned and may be named without effect.
 */
import type { CollectionDef } from "../../core/collections/types.ts";
import { BadRequestError } from "../../core/errors.ts";
import { RECORD_SYSTEM_FIELDS } from "../../core/records/values.ts";

const SYSTEM = new Set<string>(RECORD_SYSTEM_FIELDS);
const MAX_EXCERPT = 10_000;

interface Excerpt {
  length: number;
  ellipsis: boolean;
}

/** A parsed `fields=`: which data keys to keep, and the excerpts to apply. */
export interface Projection {
  /** collection fields to return (in the collection's order) */
  keep: ReadonlySet<string>;
  excerpts: ReadonlyMap<string, Excerpt>;
}

const bad = (message: string): never => {
  throw new BadRequestError(`Invalid fields: ${message}`, { fields: message });
};

function parseModifier(name: string, modifier: string): Excerpt {
  const m = /^excerpt\(\s*(\d+)\s*(?:,\s*(true|false)\s*)?\)$/.exec(modifier);
  if (!m) return bad(`unknown modifier '${modifier}' on '${name}' (supported: excerpt(N) and excerpt(N,true))`);
  const length = Number(m[1]);
  if (length < 1 || length > MAX_EXCERPT) return bad(`excerpt length on '${name}' must be between 1 and ${MAX_EXCERPT}`);
  return { length, ellipsis: m[2] === "true" };
}

/** Splits on commas outside parentheses (`a,b:excerpt(10,true)` → two items). */
function splitTopLevel(spec: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if (c === "," && depth === 0) {
      items.push(spec.slice(start, i));
      start = i + 1;
    }
  }
  items.push(spec.slice(start));
  return items;
}

/**
 * Parses `fields=` against a collection. Throws 400 naming an unknown field or modifier, and when
 * inclusions and exclusions are mixed. Returns undefined for an absent or empty parameter.
 * @example parseProjection("title,body:excerpt(100,true)", posts)
 */
export function parseProjection(spec: string | undefined, def: CollectionDef): Projection | undefined {
  if (spec === undefined || spec.trim() === "") return undefined;
  const known = new Set(def.fields.map((f) => f.name));
  const include = new Set<string>();
  const exclude = new Set<string>();
  const excerpts = new Map<string, Excerpt>();
  for (const raw of splitTopLevel(spec)) {
    const item = raw.trim();
    if (item === "") continue;
    const negate = item.startsWith("-");
    const [name = "", ...rest] = (negate ? item.slice(1) : item).split(":");
    const modifier = rest.join(":").trim();
    const field = name.trim();
    if (SYSTEM.has(field)) continue;
    if (!known.has(field)) bad(`unknown field '${field}' in '${def.name}'`);
    if (negate) {
      if (modifier) bad(`'-${field}' cannot take a modifier`);
      exclude.add(field);
    } else {
      include.add(field);
      if (modifier) excerpts.set(field, parseModifier(field, modifier));
    }
  }
  if (include.size && exclude.size) bad("list the fields to return or the fields to leave out (with '-'), not both");
  const keep = new Set(def.fields.map((f) => f.name).filter((n) => (include.size ? include.has(n) : !exclude.has(n))));
  return { keep, excerpts };
}

/** Plain text of an HTML/markup value, whitespace collapsed. */
function plainText(value: string): string {
  return value
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function excerpt(value: unknown, e: Excerpt): unknown {
  if (typeof value !== "string") return value;
  const text = [...plainText(value)];
  if (text.length <= e.length) return text.join("");
  return text.slice(0, e.length).join("").trimEnd() + (e.ellipsis ? "…" : "");
}

/** `data` reduced to the projection (a new object; the input is not changed). */
export function projectData(data: Record<string, unknown>, p: Projection | undefined): Record<string, unknown> {
  if (!p) return data;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(data)) {
    if (!p.keep.has(k)) continue;
    const ex = p.excerpts.get(k);
    out[k] = ex ? excerpt(data[k], ex) : data[k];
  }
  return out;
}
