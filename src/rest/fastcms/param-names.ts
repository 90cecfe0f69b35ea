/**
 * Core validation errors name inputs by their domain names (`pageSize`, `recordIds`); a FastCMS
 * client knows them by its own parameter names (`per_page`, `record_ids`). This renders a core
 * error under the dialect's names, message included, so the answer names what the client sent.
 */
import { ValidationError } from "../../core/errors.ts";

/** Domain input name → FastCMS parameter name. */
export type ParamNames = ReadonlyMap<string, string>;

/** FastCMS names of the core's record-list and bulk inputs. */
export const RECORD_PARAM_NAMES: ParamNames = new Map([
  ["pageSize", "per_page"],
  ["recordIds", "record_ids"],
]);

/**
 * Runs `op`; a ValidationError from it is rethrown with its field names (details keys and the
 * leading name in the message) renamed through `names`. Other errors pass unchanged.
 */
export async function withParamNames<T>(names: ParamNames, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (!(e instanceof ValidationError) || !Object.keys(e.fields).some((k) => names.has(k))) throw e;
    const fields: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(e.fields)) fields[names.get(k) ?? k] = v;
    let message = e.message;
    for (const [from, to] of names) message = message.replace(new RegExp(`\\b${from}\\b`, "g"), to);
    throw new ValidationError(message, { ...fields });
  }
}

