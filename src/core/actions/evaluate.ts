/**
 * Evaluates a declared value (definitions.ts) for one record: a literal, an input, a field of
 * the record, a field of the referenced record (`from`, UI effects) or an expression over
 * `input.*`, `record.*` and bare field names.
 */
import type { ValueSource } from "./definitions.ts";

export interface ValueScope {
  input: Readonly<Record<string, unknown>>;
  record: Readonly<Record<string, unknown>>;
  /** the record the trigger field references (UI effects), or null */
  referenced?: Readonly<Record<string, unknown>> | null;
}

const own = (o: Readonly<Record<string, unknown>> | null | undefined, k: string): unknown => (o && Object.hasOwn(o, k) ? o[k] : null);

/** The value `source` stands for in `scope` (null when what it names is absent). */
export function evaluate(source: ValueSource, scope: ValueScope): unknown {
  switch (source.kind) {
    case "const":
      return source.value;
    case "input":
      return own(scope.input, source.name);
    case "field":
      return own(scope.record, source.name);
    case "from":
      return own(scope.referenced, source.name);
    case "expr":
      return source.run((name) => {
        if (name.startsWith("input.")) return own(scope.input, name.slice(6));
        if (name.startsWith("record.")) return own(scope.record, name.slice(7));
        if (name.startsWith("referenced.")) return own(scope.referenced, name.slice(11));
        return own(scope.record, name);
      });
  }
}
