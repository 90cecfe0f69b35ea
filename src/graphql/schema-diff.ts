/**
 * Breaking and dangerous changes between two GraphQL schemas (SDL), as graphql-js classifies
 * them (`findBreakingChanges` / `findDangerousChanges`): a removed field or type, a type change,
 * a new required argument break clients; a new enum value or an argument default change may.
 * `cairn schema diff OLD [NEW]` prints them, NEW defaulting to the live schema of the database.
 */
import { buildSchema, findBreakingChanges, findDangerousChanges, GraphQLError } from "graphql";

export interface SchemaChange {
  level: "breaking" | "dangerous";
  /** graphql-js change type, e.g. FIELD_REMOVED, ARG_ADDED, VALUE_ADDED_TO_ENUM */
  type: string;
  description: string;
}

/** An SDL text that does not parse or build; `source` names the file. */
export class SchemaSourceError extends Error {}

function build(sdl: string, source: string) {
  try {
    return buildSchema(sdl);
  } catch (e) {
    const where = e instanceof GraphQLError && e.locations?.[0] ? ` (line ${e.locations[0].line}, column ${e.locations[0].column})` : "";
    throw new SchemaSourceError(`${source}: not a valid GraphQL schema${where}: ${(e as Error).message}`);
  }
}

/**
 * The changes from `oldSdl` to `newSdl`, breaking first, each group sorted by description.
 * Throws SchemaSourceError when either text is not a valid schema.
 */
export function diffSchemas(oldSdl: string, newSdl: string, names = { old: "old schema", new: "new schema" }): SchemaChange[] {
  const before = build(oldSdl, names.old);
  const after = build(newSdl, names.new);
  const byText = (a: SchemaChange, b: SchemaChange) => a.description.localeCompare(b.description);
  const breaking = findBreakingChanges(before, after).map((c): SchemaChange => ({ level: "breaking", type: c.type, description: c.description }));
  const dangerous = findDangerousChanges(before, after).map((c): SchemaChange => ({ level: "dangerous", type: c.type, description: c.description }));
  return [...breaking.sort(byText), ...dangerous.sort(byText)];
}

/** One line per change (`BREAKING  FIELD_REMOVED  Post.title was removed.`), or a line saying there are none. */
export function formatSchemaChanges(changes: readonly SchemaChange[]): string {
  if (changes.length === 0) return "No breaking or dangerous changes.\n";
  const lines = changes.map((c) => `${c.level === "breaking" ? "BREAKING " : "DANGEROUS"}  ${c.type.padEnd(28)}  ${c.description}`);
  const b = changes.filter((c) => c.level === "breaking").length;
  return `${lines.join("\n")}\n${b} breaking, ${changes.length - b} dangerous.\n`;
}
