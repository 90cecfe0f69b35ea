/**
 * `contains` (`~`, `$contains`, `__icontains`, GraphQL `contains`, and `startsWith`/`endsWith`)
 * on a trigram index, SQLite side. PostgreSQL needs nothing here: its planner weighs the pg_trgm
 * GIN index against the ordered scan from column statistics by itself.
 *
 * SQLite keeps one FTS5 trigram table per field (ddl.ts). A literal of at least 3 characters has
 * trigrams; every row containing the literal holds all of them, so the AND of its trigrams finds
 * a superset of the matching rows by index, and the real `LIKE` (still in the statement) keeps
 * the exact semantics (`%`, `_`, ASCII case folding). Shorter literals have no trigram: scan.
 *
 * The index is not always the faster plan: a common word matches every few rows, and the ordered
 * scan that stops after a page reads fewer rows than the index finds. SQLite's planner cannot
 * tell (a virtual table has no statistics), so the choice is made here: a probe counts the
 * candidates up to {@link INDEX_MAX_CANDIDATES}; fewer → index, else scan (the probe and its
 * cache: match-probe.ts).
 */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import type { CompareOp, Expr } from "../../query/ast.ts";
import type { ContainsIndex } from "../../query/to-sql.ts";
import { trigramName } from "../collections/ddl.ts";
import { hasTrigramIndex, type CollectionDef, type FieldDef } from "../collections/types.ts";
import { matchesAtLeast } from "./match-probe.ts";

/** Below this many candidate rows the index is used; at or above it, the scan that stops early. */
export const INDEX_MAX_CANDIDATES = 500;
/** Trigrams queried at most (any subset still finds a superset). */
const MAX_TRIGRAMS = 8;

const SUBSTRING_OPS: ReadonlySet<CompareOp> = new Set(["contains", "startsWith", "endsWith"]);

/**
 * The FTS5 query for a literal: the AND of its distinct trigrams (at most {@link MAX_TRIGRAMS},
 * spread over the literal), or undefined when it has fewer than 3 characters.
 * @example trigramQuery("Lorem") // '"Lor" AND "ore" AND "rem"'
 */
export function trigramQuery(text: string): string | undefined {
  const chars = Array.from(text);
  if (chars.length < 3) return undefined;
  const all = [...new Set(chars.slice(2).map((_, i) => chars.slice(i, i + 3).join("")))];
  const step = Math.max(1, all.length / MAX_TRIGRAMS);
  const picked = all.length <= MAX_TRIGRAMS ? all : Array.from({ length: MAX_TRIGRAMS }, (_, i) => all[Math.floor(i * step)]!);
  return picked.map((t) => `"${t.replace(/"/g, '""')}"`).join(" AND ");
}

/** The index choice for one filter: what `toSql` asks, and a key naming the choice (for caching the compiled SQL). */
export interface ContainsPlan {
  index: ContainsIndex;
  /** the (field, literal) pairs that use the index, as one string */
  key: string;
}

const trigramFields = new WeakMap<CollectionDef, ReadonlyMap<string, FieldDef>>();

/** The fields of the definition with a trigram index, by name (remembered per definition). */
function indexedFields(def: CollectionDef): ReadonlyMap<string, FieldDef> {
  let fields = trigramFields.get(def);
  if (!fields) trigramFields.set(def, (fields = new Map(def.fields.filter(hasTrigramIndex).map((f) => [f.name, f]))));
  return fields;
}

/**
 * Decides, for the substring conditions ANDed at the top of a checked filter, which use their
 * field's trigram index, and returns the {@link ContainsPlan} for `toSql` (undefined when none
 * does, and always on PostgreSQL).
 */
export async function planContainsIndex(db: SqlDb, def: CollectionDef, filter: Expr, now = Date.now()): Promise<ContainsPlan | undefined> {
  if (db.dialect !== "sqlite") return undefined;
  const fields = indexedFields(def);
  if (!fields.size) return undefined;
  let chosen: Map<string, RawBuilder<SqlBool>> | undefined;
  for (const c of substringLeaves(def, fields, filter)) {
    if (chosen?.has(c.pair)) continue;
    if (!(await matchesAtLeast(db, c.tri, c.match, INDEX_MAX_CANDIDATES, now))) (chosen ??= new Map()).set(c.pair, candidates(c.tri, def, c.match));
  }
  if (!chosen) return undefined;
  const pairs = chosen;
  return { index: (column, text) => pairs.get(`${column}\0${text}`), key: JSON.stringify([...pairs.keys()]) };
}

/** A substring condition that may use its field's trigram index. */
interface SubstringLeaf {
  /** field name and literal (what `toSql` asks about) */
  pair: string;
  /** the field's trigram table */
  tri: string;
  /** the FTS5 query */
  match: string;
}

/** The substring leaves of checked filters (cached per definition and filter object: checked-filter.ts keeps one per filter). */
const leavesOf = new WeakMap<CollectionDef, WeakMap<Expr, SubstringLeaf[]>>();

function substringLeaves(def: CollectionDef, fields: ReadonlyMap<string, FieldDef>, filter: Expr): SubstringLeaf[] {
  let byFilter = leavesOf.get(def);
  if (!byFilter) leavesOf.set(def, (byFilter = new WeakMap()));
  let leaves = byFilter.get(filter);
  if (leaves) return leaves;
  leaves = [];
  for (const leaf of topConjuncts(filter)) {
    if (leaf.kind !== "compare" || leaf.any || !SUBSTRING_OPS.has(leaf.op) || leaf.left.kind !== "field" || leaf.left.modifier || leaf.right.kind !== "value") continue;
    const field = fields.get(leaf.left.name);
    const text = String(leaf.right.value);
    const match = trigramQuery(text);
    if (!field || !match) continue;
    leaves.push({ pair: `${field.name}\0${text}`, tri: trigramName(def.name, field.id), match });
  }
  byFilter.set(filter, leaves);
  return leaves;
}

function candidates(table: string, def: CollectionDef, match: string): RawBuilder<SqlBool> {
  const tri = sql.table(table);
  return sql<SqlBool>`${sql.ref(`${def.name}.rowid`)} IN (SELECT rowid FROM ${tri} WHERE ${tri} MATCH ${match})`;
}

/** The leaves ANDed at the top of an expression (what `toSql` offers to the index). */
function topConjuncts(e: Expr): Expr[] {
  return e.kind === "and" ? e.items.flatMap(topConjuncts) : [e];
}
