/**
 * Filters through references (`contact.name ~ 'acme'`, Fullfinity `contact__name__icontains`):
 * the filter AST compares fields of one collection, so each comparison on a dotted path is
 * resolved before the check into "`contact` is one of the ids of the matching contacts", a
 * sub-select (`inSelect`) over the referenced table read with the caller's list rule of the
 * referenced collection, so a traversal never reveals a record the caller could not list. The
 * database resolves it inside the one list statement, however many records match; never one
 * statement per row, and no id list carried through the server.
 */
import { sql, type RawBuilder } from "kysely";
import { and, FilterError, mapLeaves, readsOf, type Expr, type Leaf, type Operand } from "../../query/ast.ts";
import { checkExpr } from "../../query/check.ts";
import { collectionResolver } from "../../query/fields.ts";
import { toSql } from "../../query/to-sql.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { BadRequestError } from "../errors.ts";
import { recordAccess } from "../rules/access.ts";
import { assertReadableQuery, fieldAccess } from "../rules/field-access.ts";

/** The 400 of a filter that cannot be resolved, in the shape of the list's filter errors. */
const invalid = (message: string) => new BadRequestError(`Invalid filter: ${message}`, { filter: message });

type FieldOperand = Extract<Operand, { kind: "field" }>;

const pathOf = (leaf: Leaf): FieldOperand | undefined => {
  const o = leaf.kind === "compare" ? leaf.left : leaf.operand;
  return o.kind === "field" && o.name.includes(".") ? o : undefined;
};

/** The leaf with its field operand renamed to `name`. */
function withField(leaf: Leaf, name: string): Leaf {
  if (leaf.kind === "compare") return { ...leaf, left: { ...(leaf.left as FieldOperand), name } };
  return { ...leaf, operand: { ...(leaf.operand as FieldOperand), name } };
}

/**
 * `SELECT id FROM <def>` of the records (in the caller's account, under their list rule)
 * satisfying `leaf`, whose field may itself be a dotted path (resolved recursively).
 */
async function matchingSelect(ctx: Context, def: CollectionDef, leaf: Leaf, depth: number): Promise<{ select: RawBuilder<unknown>; reads: string[] }> {
  const { db } = ctx.services;
  const inner = await resolveTraversals(ctx, def, leaf, depth + 1);
  const resolve = collectionResolver(def);
  let checked: Expr;
  try {
    checked = checkExpr(and(inner, recordAccess(ctx, def, "list")), resolve);
  } catch (e) {
    throw e instanceof FilterError ? invalid(`${e.message} (in '${def.name}')`) : e;
  }
  assertReadableQuery(ctx, def, fieldAccess(ctx, def, "list").readable, { filter: inner });
  return {
    select: sql`SELECT ${sql.ref(`${def.name}.id`)} FROM ${sql.table(def.name)} WHERE ${sql.ref(`${def.name}.account_id`)} = ${ctx.principal.accountId} AND ${toSql(checked, resolve, db.dialect, def.name)}`,
    reads: [def.name, ...readsOf(checked)],
  };
}

/**
 * `expr` with every comparison on a path through a reference field (`contact.name`) replaced by
 * a match of the reference against the sub-select of the matching records (see the module
 * comment). A null test through a reference also holds when the reference itself is null (as a
 * LEFT JOIN reads it). Expressions without paths come back unchanged.
 * @throws BadRequestError (400 `Invalid filter: …`) when a path does not start with a reference
 *   field, names an unknown field of the referenced collection or nests deeper than 4 levels;
 *   403 for an unreadable field.
 * @example await resolveTraversals(ctx, def, parseQ("Q(contact__name__icontains='acme')"))
 */
export async function resolveTraversals(ctx: Context, def: CollectionDef, expr: Expr, depth = 0): Promise<Expr> {
  const leaves: Leaf[] = [];
  mapLeaves(expr, (l) => {
    if (pathOf(l)) leaves.push(l);
    return l;
  });
  if (leaves.length === 0) return expr;
  if (depth >= 4) throw invalid("filter path through references is too deep (max 4 levels)");
  const replaced = new Map<Leaf, Expr>();
  for (const leaf of leaves) {
    const name = pathOf(leaf)!.name;
    const dot = name.indexOf(".");
    const head = name.slice(0, dot);
    const ref = def.fields.find((f) => f.name === head);
    if (!ref) throw invalid(`unknown field '${head}'`);
    if (ref.type !== "reference" || !ref.options.collection) throw invalid(`field '${head}' is not a reference: cannot filter through it ('${name}')`);
    const target = ctx.services.collections.require(ref.options.collection);
    const { select, reads } = await matchingSelect(ctx, target, withField(leaf, name.slice(dot + 1)), depth);
    const field: FieldOperand = { kind: "field", name: head };
    const member: Expr = ref.options.multiple ? { kind: "inSelect", operand: field, select, any: true, reads } : { kind: "inSelect", operand: field, select, reads };
    const nullRef: Expr = { kind: "isNull", operand: field, negate: false };
    replaced.set(leaf, leaf.kind === "isNull" && !leaf.negate && !ref.options.multiple ? { kind: "or", items: [nullRef, member] } : member);
  }
  return mapLeaves(expr, (l) => replaced.get(l) ?? l);
}
