/**
 * Old names kept by renames with a grace period (core/collections/renames.ts records them in a
 * collection's `options.renamed`): reading them from a definition, and which are still running.
 * The field resolver (fields.ts) accepts a running field rename's old name as an alias.
 */

/** One old name still accepted. `at`/`until`: ISO 8601 (rename time, end of the grace period). */
export interface Rename {
  kind: "collection" | "field";
  from: string;
  to: string;
  /** the field's stable id (field renames) */
  fieldId?: string;
  at: string;
  until: string;
}

function isRename(v: unknown): v is Rename {
  const r = v as Rename;
  return (
    typeof v === "object" &&
    v !== null &&
    (r.kind === "collection" || r.kind === "field") &&
    typeof r.from === "string" &&
    typeof r.to === "string" &&
    typeof r.at === "string" &&
    typeof r.until === "string"
  );
}

/** Every rename recorded on the definition, expired ones included. */
export function recordedRenames(def: { readonly options?: Record<string, unknown> }): Rename[] {
  const v = def.options?.renamed;
  return Array.isArray(v) ? v.filter(isRename) : [];
}

/** The renames still in their grace period at `now`. */
export function activeRenames(def: { readonly options?: Record<string, unknown> }, now: number = Date.now()): Rename[] {
  return recordedRenames(def).filter((r) => Date.parse(r.until) > now);
}

/**
 * Old field name → current field name, for the renames in their grace period (an old name a
 * current field uses again is no alias).
 */
export function fieldAliases(def: { readonly options?: Record<string, unknown>; readonly fields: readonly { name: string }[] }, now: number = Date.now()): Map<string, string> {
  const out = new Map<string, string>();
  const names = new Set(def.fields.map((f) => f.name));
  for (const r of activeRenames(def, now)) if (r.kind === "field" && !names.has(r.from) && names.has(r.to)) out.set(r.from, r.to);
  return out;
}
