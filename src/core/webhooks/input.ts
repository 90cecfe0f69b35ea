/**
 * Validation of webhook input (create and update), shared by every dialect. All problems are
 * collected into one ValidationError whose `fields` use the domain names (`url`, `collections`,
 * `events`, `filter`, `secret`, `retryCount`, `active`, `name`); dialects rename them.
 */
import type { Context } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { checkFilter } from "./match.ts";
import { generateSecret, secretProblem } from "./sign.ts";
import { checkTargetOnSave, parseTargetUrl } from "./target.ts";
import { DEFAULT_RETRY_COUNT, MAX_RETRY_COUNT, WEBHOOK_ACTIONS, WEBHOOK_FORMATS, type Webhook, type WebhookFormat, type WebhookInput } from "./types.ts";

/** Largest number of collections one webhook names. */
const MAX_COLLECTIONS = 100;

/** The stored values of a webhook after a create or update. */
export interface WebhookValues {
  name: string | null;
  url: string;
  collections: string[];
  events: string[];
  filter: string | null;
  secret: string;
  retryCount: number;
  active: boolean;
  format: WebhookFormat;
}

/**
 * Checks `input` and returns the values to store: for a create (`current` undefined) absent keys
 * take their defaults (every action, no filter, a generated secret, 3 retries, active); for an
 * update they keep the current values. A filter is re-checked when it or the collections change.
 * @throws ValidationError naming every bad field (url missing, not http(s) or refused by the SSRF
 *   guard; unknown collection; unknown action; filter syntax or field errors; secret form; retry
 *   count outside 0-10; active not a boolean).
 */
export async function webhookValues(ctx: Context, input: WebhookInput, current?: Webhook): Promise<WebhookValues> {
  const problems: Record<string, string> = Object.create(null);
  const given = (v: unknown) => v !== undefined;

  let url = current?.url ?? "";
  if (given(input.url) || !current) {
    try {
      const parsed = parseTargetUrl(input.url);
      await checkTargetOnSave(parsed, ctx.services.config.webhookAllowPrivate);
      url = parsed.toString();
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      problems.url = e.fields.url ?? e.message;
    }
  }

  let collections = current?.collections ?? [];
  if (given(input.collections) && input.collections !== null) {
    const list = typeof input.collections === "string" ? [input.collections] : input.collections;
    if (!Array.isArray(list) || list.some((c) => typeof c !== "string" || c === "")) problems.collections = "must be a list of collection names";
    else if (list.length > MAX_COLLECTIONS) problems.collections = `must name at most ${MAX_COLLECTIONS} collections`;
    else {
      const names: string[] = [];
      for (const c of list as string[]) {
        const def = ctx.services.collections.get(c);
        if (!def) {
          problems.collections = `unknown collection '${c.slice(0, 100)}'`;
          break;
        }
        if (!names.includes(def.name)) names.push(def.name);
      }
      collections = names;
    }
  } else if (input.collections === null) collections = [];

  let events = current?.events ?? ["*"];
  if (given(input.events)) {
    const list = typeof input.events === "string" ? input.events.split(",").map((s) => s.trim()) : input.events;
    const known = new Set<string>([...WEBHOOK_ACTIONS, "*"]);
    if (!Array.isArray(list) || list.length === 0 || list.some((e) => typeof e !== "string")) problems.events = `must be a non-empty list of ${WEBHOOK_ACTIONS.join(", ")} or *`;
    else {
      const bad = (list as string[]).find((e) => !known.has(e));
      if (bad !== undefined) problems.events = `unknown event '${bad.slice(0, 50)}'; expected ${WEBHOOK_ACTIONS.join(", ")} or *`;
      else events = list.includes("*") ? ["*"] : WEBHOOK_ACTIONS.filter((a) => list.includes(a));
    }
  }

  let filter = current?.filter ?? null;
  if (given(input.filter)) {
    if (input.filter !== null && typeof input.filter !== "string") problems.filter = "must be a filter expression or null";
    else filter = input.filter === null || input.filter.trim() === "" ? null : input.filter;
  }
  if (filter !== null && !problems.filter && !problems.collections && (given(input.filter) || given(input.collections))) {
    try {
      checkFilter(filter, collections, ctx.services.collections);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      problems.filter = e.fields.filter ?? e.message;
    }
  }

  let secret = current?.secret ?? "";
  if (given(input.secret) || !current) {
    if (input.secret === undefined || input.secret === null || input.secret === "") secret = generateSecret();
    else if (typeof input.secret !== "string") problems.secret = "must be a string";
    else {
      const p = secretProblem(input.secret);
      if (p) problems.secret = p;
      else secret = input.secret;
    }
  }

  let retryCount = current?.retryCount ?? DEFAULT_RETRY_COUNT;
  if (given(input.retryCount) && input.retryCount !== null) {
    const n = input.retryCount;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_RETRY_COUNT) problems.retryCount = `must be an integer from 0 to ${MAX_RETRY_COUNT}`;
    else retryCount = n;
  }

  let active = current?.active ?? true;
  if (given(input.active)) {
    if (typeof input.active !== "boolean") problems.active = "must be true or false";
    else active = input.active;
  }

  let name = current?.name ?? null;
  if (given(input.name)) {
    if (input.name !== null && (typeof input.name !== "string" || input.name.length > 200)) problems.name = "must be a string of at most 200 characters, or null";
    else name = input.name;
  }

  const format = input.format ?? current?.format ?? "fastcms";
  if (!(WEBHOOK_FORMATS as readonly string[]).includes(format)) problems.format = `must be one of ${WEBHOOK_FORMATS.join(", ")}`;

  const fields = Object.keys(problems);
  if (fields.length) throw new ValidationError(`Invalid webhook: ${fields.map((f) => `${f} ${problems[f]}`).join("; ")}`, { ...problems });
  return { name, url, collections, events, filter, secret, retryCount, active, format };
}
