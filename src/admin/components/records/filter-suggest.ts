// What to offer while someone types a filter (README "The filter language"): field names where a
// field may start, operators after a field, values after an operator, `&&` / `||` after a value.
// Works on the text before the caret only; the server still decides what is valid.
import type { CollectionField } from "../../lib/collections.ts";
import { kindOf } from "./cell.tsx";

export interface Suggestion {
  /** inserted in place of the word being typed */
  insert: string;
  /** what the list shows */
  label: string;
  /** a short note (field type, what an operator does) */
  note: string;
}

export interface SuggestField {
  name: string;
  type: string;
  list: boolean;
  values?: string[];
}

/** The system fields a filter may use, with the collection's own fields after them. */
export function suggestFields(schema: CollectionField[]): SuggestField[] {
  return [
    { name: "id", type: "id", list: false },
    ...schema
      .filter((f) => !f.hidden)
      .map((f) => {
        const type = kindOf(f);
        const list = type === "tags" || type === "file" || (type === "select" && (f.select?.max_select ?? 1) > 1) || (type === "reference" && Boolean(f.relation?.multiple));
        return { name: f.name, type, list, values: type === "select" ? (f.select?.values ?? []) : undefined };
      }),
    { name: "created", type: "datetime", list: false },
    { name: "updated", type: "datetime", list: false },
    { name: "owner_id", type: "id", list: false },
    { name: "version", type: "number", list: false },
  ];
}

const OPERATORS: [string, string][] = [
  ["=", "equals"],
  ["!=", "does not equal"],
  [">", "greater than"],
  [">=", "at least"],
  ["<", "less than"],
  ["<=", "at most"],
  ["~", "contains"],
  ["!~", "does not contain"],
  ["in", "one of [a, b]"],
  ["not in", "none of [a, b]"],
];
const LIST_OPERATORS: [string, string][] = [
  ["?=", "any element equals"],
  ["?!=", "any element differs"],
  ["?~", "any element contains"],
  ["?!~", "any element does not contain"],
  ["= null", "is empty"],
  ["!= null", "is set"],
];
const JOINERS: [string, string][] = [
  ["&&", "and"],
  ["||", "or"],
];
const DATE_MACROS = ["@now", "@today", "@yesterday", "@todayStart", "@monthStart", "@yearStart", "@day-7"];

type Token = { kind: "word" | "op" | "value" | "open" | "close" | "join"; text: string };

/** Splits the text before the caret into rough tokens; strings and lists count as values. */
function tokens(text: string): { done: Token[]; partial: string } {
  const done: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) return { done, partial: text.slice(i) };
      done.push({ kind: "value", text: text.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    if (c === "[") {
      const j = text.indexOf("]", i);
      if (j < 0) return { done, partial: text.slice(i) };
      done.push({ kind: "value", text: text.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    if (c === "(" || (c === "!" && text[i + 1] === "(")) {
      done.push({ kind: "open", text: c });
      i += c === "!" ? 2 : 1;
      continue;
    }
    if (c === ")") {
      done.push({ kind: "close", text: c });
      i++;
      continue;
    }
    const op = /^(&&|\|\||[?!<>=~]+)/.exec(text.slice(i));
    if (op) {
      done.push({ kind: op[1] === "&&" || op[1] === "||" ? "join" : "op", text: op[1]! });
      i += op[1]!.length;
      continue;
    }
    const word = /^[^\s()[\]"'=!<>~?&|]+/.exec(text.slice(i))![0] || c;
    const lower = word.toLowerCase();
    const kind: Token["kind"] = lower === "and" || lower === "or" ? "join" : lower === "in" || lower === "not" ? "op" : "word";
    done.push({ kind, text: word });
    i += word.length;
  }
  // the last token is still being typed unless whitespace follows it
  const last = done[done.length - 1];
  if (last && !/\s$/.test(text) && (last.kind === "word" || last.kind === "op" || last.kind === "join")) {
    done.pop();
    return { done, partial: last.text };
  }
  return { done, partial: "" };
}

/** Suggestions for the text before the caret, and where the word being typed starts. */
export function suggest(before: string, fields: SuggestField[]): { from: number; items: Suggestion[] } {
  const { done, partial } = tokens(before);
  const from = before.length - partial.length;
  const prev = done[done.length - 1];
  const prev2 = done[done.length - 2];
  const starts = (s: string) => s.toLowerCase().startsWith(partial.toLowerCase()) && s !== partial;
  const fieldOf = (word: string | undefined) => fields.find((f) => f.name === word?.split(":")[0]);
  let items: Suggestion[] = [];
  if (!prev || prev.kind === "open" || prev.kind === "join") {
    items = fields.filter((f) => starts(f.name)).map((f) => ({ insert: `${f.name} `, label: f.name, note: f.list ? `${f.type} (list)` : f.type }));
  } else if (prev.kind === "word" && fieldOf(prev.text) && !(prev2?.kind === "op")) {
    const f = fieldOf(prev.text)!;
    const ops = f.list ? LIST_OPERATORS : OPERATORS;
    items = ops.filter(([op]) => partial === "" || (op.startsWith(partial) && op !== partial)).map(([op, note]) => ({ insert: `${op} `, label: op, note }));
  } else if (prev.kind === "op" && prev2?.kind === "word") {
    const f = fieldOf(prev2.text);
    const values: string[] = ["null"];
    if (f?.type === "bool") values.unshift("true", "false");
    if (f?.values) values.unshift(...f.values.map((v) => JSON.stringify(v)));
    if (f && /date/.test(f.type)) values.unshift(...DATE_MACROS);
    items = values.filter((v) => partial === "" || starts(v)).map((v) => ({ insert: `${v} `, label: v, note: "value" }));
  } else if (prev.kind === "value" || prev.kind === "close" || prev.kind === "word") {
    items = JOINERS.filter(([j]) => partial === "" || starts(j)).map(([j, note]) => ({ insert: `${j} `, label: j, note }));
  }
  return { from, items: items.slice(0, 12) };
}
