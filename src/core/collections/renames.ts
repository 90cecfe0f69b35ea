/**
 * Renames with a grace period. Renaming a collection or a field (through any dialect's
 * collections API) records the old name in the definition (`options.renamed`), so it is stored
 * with the collection, survives restarts and reaches other instances with the definition itself.
 * Until the grace period ends (`CAIRN_RENAME_GRACE_DAYS`, default 30) the old name keeps working:
 * the registry resolves an old collection name, filters, sorts and record input accept an old
 * field name, GraphQL keeps both as `@deprecated` aliases, REST answers with `Deprecation` and
 * `Sunset` headers. After it the old name is gone.
 */
import { activeRenames, type Rename } from "../../query/renames.ts";
import type { CollectionDef } from "./types.ts";

export { activeRenames, fieldAliases, recordedRenames, type Rename } from "../../query/renames.ts";

const DAY_MS = 86_400_000;

/** The earliest end of a grace period among the definitions (ms), or undefined when none is running. */
export function nextRenameExpiry(defs: readonly CollectionDef[], now: number = Date.now()): number | undefined {
  let next: number | undefined;
  for (const def of defs) for (const r of activeRenames(def, now)) next = Math.min(next ?? Infinity, Date.parse(r.until));
  return next;
}

/**
 * The options of `next` (the definition an update produces from `current`) with the renames
 * carried over: running ones kept (their target renamed again followed, a name reused dropped,
 * expired ones dropped), the collection's and its fields' new renames added. An update whose
 * body sets `options` without `renamed` keeps them too: they are the server's record, not input.
 */
export function carryRenames(current: CollectionDef, next: CollectionDef, now: Date, graceDays: number): Record<string, unknown> {
  const at = now.toISOString();
  const until = new Date(now.getTime() + graceDays * DAY_MS).toISOString();
  const fieldsNow = new Map(next.fields.map((f) => [f.id, f.name]));
  const namesNow = new Set(next.fields.map((f) => f.name));
  const kept: Rename[] = [];
  for (const r of activeRenames(current, now.getTime())) {
    if (r.kind === "collection") {
      if (r.from.toLowerCase() !== next.name.toLowerCase()) kept.push({ ...r, to: next.name });
    } else {
      const to = (r.fieldId && fieldsNow.get(r.fieldId)) || (namesNow.has(r.to) ? r.to : undefined);
      if (to && to !== r.from && !namesNow.has(r.from)) kept.push({ ...r, to });
    }
  }
  const added: Rename[] = [];
  if (graceDays > 0) {
    if (current.name !== next.name) added.push({ kind: "collection", from: current.name, to: next.name, at, until });
    for (const f of current.fields) {
      const to = fieldsNow.get(f.id);
      if (to && to !== f.name && !namesNow.has(f.name)) added.push({ kind: "field", from: f.name, to, fieldId: f.id, at, until });
    }
  }
  // a name renamed again: the newest record of an old name wins
  const byFrom = new Map<string, Rename>();
  for (const r of [...kept, ...added]) byFrom.set(`${r.kind}:${r.from.toLowerCase()}`, r);
  const { renamed: _old, ...rest } = next.options ?? {};
  return byFrom.size ? { ...rest, renamed: [...byFrom.values()] } : rest;
}
