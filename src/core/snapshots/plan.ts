/**
 * The plan from the schema as it is (a {@link SchemaState}) to a snapshot: which collections,
 * fields, roles, permissions and webhooks are created, altered, renamed or dropped. Pure: the
 * applier executes it, `cairn schema diff` prints it. Collections and fields are paired by their
 * stable id first, then by name (definitions made separately in two environments); a pair with a
 * different name is a rename, so its data stays. Every `drop` step is destructive.
 */
import type { CollectionDef, FieldDef } from "../collections/types.ts";
import { ADMIN_ROLE, BUILT_IN_ROLES } from "../rules/role-cache.ts";
import { definitionOptions, type SchemaState } from "./state.ts";
import type { Snapshot, SnapshotCollection, SnapshotPermission, SnapshotRole, SnapshotWebhook } from "./types.ts";

export type StepAction = "create" | "alter" | "rename" | "drop";
export type StepKind = "collection" | "field" | "role" | "permission" | "webhook";

export interface PlanStep {
  action: StepAction;
  kind: StepKind;
  /** `posts`, `posts.title`, `editor`, `editor posts/read`, a webhook's id */
  target: string;
  /** what changes, for people */
  detail: string;
  /** drops something (data, access, a delivery log): applied only when drops are allowed */
  destructive: boolean;
  /** data that would be lost (filled in by `annotateDataLoss`) */
  warning?: string;
  /** for data-loss counts: the table and, for a field, its column */
  table?: string;
  column?: string;
}

export interface Change<T, C = T> {
  kind: "create" | "alter" | "drop";
  target?: T;
  current?: C;
}

export interface SchemaPlan {
  steps: PlanStep[];
  collections: Change<SnapshotCollection, CollectionDef>[];
  roles: Change<SnapshotRole>[];
  webhooks: Change<SnapshotWebhook>[];
}

/** JSON with sorted keys and without undefined/null/false-y presentation noise: for comparisons. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x && typeof x === "object" && !Array.isArray(x)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) if ((x as Record<string, unknown>)[k] !== undefined) out[k] = (x as Record<string, unknown>)[k];
      return out;
    }
    return x;
  });
}

/** The parts of a field that make a difference (not its id). */
function fieldShape(f: FieldDef) {
  return {
    name: f.name,
    type: f.type,
    required: f.required,
    unique: f.unique,
    index: f.index,
    default: f.default,
    options: f.options ?? {},
    label: f.label ?? null,
    hint: f.hint ?? null,
    hidden: f.hidden === true,
  };
}

/** Pairs `next` items with `prev` items: by id, then by lower-case name among the unpaired. */
export function pair<T extends { id: string; name: string }, U extends { id: string; name: string }>(next: readonly T[], prev: readonly U[]): { pairs: [T, U][]; added: T[]; removed: U[] } {
  const taken = new Set<string>();
  const match = new Map<T, U>();
  for (const n of next) {
    const p = prev.find((x) => x.id === n.id && !taken.has(x.id));
    if (!p) continue;
    match.set(n, p);
    taken.add(p.id);
  }
  for (const n of next) {
    if (match.has(n)) continue;
    const p = prev.find((x) => !taken.has(x.id) && x.name.toLowerCase() === n.name.toLowerCase() && !next.some((o) => o.id === x.id));
    if (!p) continue;
    match.set(n, p);
    taken.add(p.id);
  }
  return { pairs: [...match.entries()], added: next.filter((n) => !match.has(n)), removed: prev.filter((p) => !taken.has(p.id)) };
}

const step = (action: StepAction, kind: StepKind, target: string, detail: string, extra: Partial<PlanStep> = {}): PlanStep => ({
  action,
  kind,
  target,
  detail,
  destructive: action === "drop",
  ...extra,
});

function differences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => canonical(a[k]) !== canonical(b[k])).sort();
}

function collectionSteps(next: SnapshotCollection, cur: CollectionDef): PlanStep[] {
  const steps: PlanStep[] = [];
  const name = next.name;
  if (cur.name !== next.name) steps.push(step("rename", "collection", cur.name, `${cur.name} → ${next.name}`));
  if (cur.type !== next.type) steps.push(step("alter", "collection", name, `type ${cur.type} → ${next.type}`));
  const rules = { list: cur.listRule, view: cur.viewRule, create: cur.createRule, update: cur.updateRule, delete: cur.deleteRule };
  const ruleDiff = differences(rules, next.rules);
  if (ruleDiff.length) steps.push(step("alter", "collection", name, `rules: ${ruleDiff.join(", ")}`));
  const optionDiff = differences(definitionOptions(cur.options), definitionOptions(next.options));
  if (optionDiff.length) steps.push(step("alter", "collection", name, `options: ${optionDiff.join(", ")}`));
  if ((cur.viewQuery ?? null) !== (next.viewQuery ?? null)) steps.push(step("alter", "collection", name, "view query"));
  const { pairs, added, removed } = pair(next.fields, cur.fields);
  for (const f of added) steps.push(step("create", "field", `${name}.${f.name}`, f.type));
  for (const [n, c] of pairs) {
    if (n.name !== c.name) steps.push(step("rename", "field", `${name}.${c.name}`, `${c.name} → ${n.name} (same field id, data kept)`));
    if (n.type !== c.type) steps.push(step("alter", "field", `${name}.${n.name}`, `type ${c.type} → ${n.type}: existing values are converted`));
    const rest = differences({ ...fieldShape(c), name: n.name, type: n.type }, fieldShape(n));
    if (rest.length) steps.push(step("alter", "field", `${name}.${n.name}`, rest.join(", ")));
  }
  for (const f of removed) steps.push(step("drop", "field", `${name}.${f.name}`, f.type, { table: cur.name, column: f.name }));
  // only a new order is left: metadata, but it is what clients list
  const order = (fs: readonly { name: string }[]) => fs.map((f) => f.name).join(",");
  if (!steps.some((s) => s.kind === "field") && order(cur.fields) !== order(next.fields)) steps.push(step("alter", "collection", name, "field order"));
  return steps;
}

function permissionKey(p: SnapshotPermission): string {
  return `${p.collection.toLowerCase()}/${p.operation}`;
}

function roleSteps(next: SnapshotRole, cur: SnapshotRole | undefined): PlanStep[] {
  const steps: PlanStep[] = [];
  if (!cur) steps.push(step("create", "role", next.name, next.description ?? ""));
  else if ((cur.description ?? null) !== (next.description ?? null)) steps.push(step("alter", "role", next.name, "description"));
  if (next.name.toLowerCase() === ADMIN_ROLE) return steps;
  const before = new Map((cur?.permissions ?? []).map((p) => [permissionKey(p), p]));
  const after = new Map(next.permissions.map((p) => [permissionKey(p), p]));
  for (const [k, p] of after) {
    const old = before.get(k);
    if (!old) steps.push(step("create", "permission", `${next.name} ${p.collection}/${p.operation}`, `rule ${p.rule}`));
    else if (old.rule !== p.rule || canonical(old.fields) !== canonical(p.fields)) steps.push(step("alter", "permission", `${next.name} ${p.collection}/${p.operation}`, `rule ${p.rule}`));
  }
  for (const [k, p] of before) if (!after.has(k)) steps.push(step("drop", "permission", `${next.name} ${p.collection}/${p.operation}`, `rule ${p.rule}`));
  return steps;
}

function webhookShape(w: SnapshotWebhook) {
  const { id: _id, ...rest } = w;
  return rest;
}

/** The plan that turns `state` into `snapshot`. */
export function planSnapshot(state: SchemaState, snapshot: Snapshot): SchemaPlan {
  const plan: SchemaPlan = { steps: [], collections: [], roles: [], webhooks: [] };
  const current = [...state.defs.values()];
  const { pairs, added, removed } = pair(snapshot.collections, current);
  for (const [next, cur] of pairs) {
    const steps = collectionSteps(next, cur);
    if (!steps.length) continue;
    plan.steps.push(...steps);
    plan.collections.push({ kind: "alter", target: next, current: cur });
  }
  for (const next of added) {
    plan.steps.push(step("create", "collection", next.name, `${next.type}, ${next.fields.length} field${next.fields.length === 1 ? "" : "s"}`));
    plan.collections.push({ kind: "create", target: next });
  }
  for (const cur of removed) {
    plan.steps.push(step("drop", "collection", cur.name, cur.type, cur.type === "view" ? {} : { table: cur.name }));
    plan.collections.push({ kind: "drop", current: cur });
  }

  const roles = new Map(state.snapshot.roles.map((r) => [r.name.toLowerCase(), r]));
  for (const next of snapshot.roles) {
    const cur = roles.get(next.name.toLowerCase());
    const steps = roleSteps(next, cur);
    if (!steps.length) continue;
    plan.steps.push(...steps);
    plan.roles.push({ kind: cur ? "alter" : "create", target: next, current: cur });
  }
  const named = new Set(snapshot.roles.map((r) => r.name.toLowerCase()));
  for (const cur of state.snapshot.roles) {
    if (named.has(cur.name.toLowerCase()) || BUILT_IN_ROLES.has(cur.name.toLowerCase())) continue;
    plan.steps.push(step("drop", "role", cur.name, `${cur.permissions.length} permission${cur.permissions.length === 1 ? "" : "s"}`));
    plan.roles.push({ kind: "drop", current: cur });
  }

  const hooks = new Map(state.snapshot.webhooks.map((w) => [w.id, w]));
  for (const next of snapshot.webhooks) {
    const cur = hooks.get(next.id);
    if (!cur) {
      plan.steps.push(step("create", "webhook", next.id, `${next.url} (a new secret is generated)`));
      plan.webhooks.push({ kind: "create", target: next });
    } else {
      const diff = differences(webhookShape(cur), webhookShape(next));
      if (!diff.length) continue;
      plan.steps.push(step("alter", "webhook", next.id, diff.join(", ")));
      plan.webhooks.push({ kind: "alter", target: next, current: cur });
    }
  }
  const kept = new Set(snapshot.webhooks.map((w) => w.id));
  for (const cur of state.snapshot.webhooks) {
    if (kept.has(cur.id)) continue;
    plan.steps.push(step("drop", "webhook", cur.id, `${cur.url} and its delivery log`));
    plan.webhooks.push({ kind: "drop", current: cur });
  }
  return plan;
}

/** Plain-text rendering of a plan, one step per line (the CLI's `schema diff` and `apply`). */
export function formatPlan(plan: Pick<SchemaPlan, "steps">): string {
  if (plan.steps.length === 0) return "Nothing to do: the database matches the snapshot.\n";
  const lines = plan.steps.map((s) => `${s.action.padEnd(7)} ${s.kind.padEnd(11)} ${s.target}${s.detail ? `: ${s.detail}` : ""}${s.warning ? `\n        WARNING ${s.warning}` : ""}`);
  const drops = plan.steps.filter((s) => s.destructive).length;
  const summary = `${plan.steps.length} step${plan.steps.length === 1 ? "" : "s"}, ${drops} destructive${drops ? " (applied only with --allow-drop)" : ""}.`;
  return `${lines.join("\n")}\n${summary}\n`;
}
