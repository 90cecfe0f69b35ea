// src/db/providers.ts
// One hand-written schema (prisma/schema.prisma, provider "sqlite") → derived text for postgres.
import { readFileSync } from "node:fs";

export type Provider = "sqlite" | "postgresql";
export const SCHEMA_PATH = new URL("../../prisma/schema.prisma", import.meta.url);

/** Return the schema text for a provider. Only the datasource provider (and generator outputs) differ. */
export function schemaFor(provider: Provider, text = readFileSync(SCHEMA_PATH, "utf8")): string {
  if (provider === "sqlite") return text;
  return (
    text
      .replace(/(datasource\s+db\s*\{[^}]*provider\s*=\s*)"sqlite"/, `$1"postgresql"`)
      // second client goes to its own folder; pothos types are generated once (from the sqlite copy)
      .replace(/output\s*=\s*"\.\.\/src\/generated\/prisma"/, 'output   = "../src/generated/prisma-pg"')
      .replace(/generator\s+pothos\s*\{[^}]*\}/, "")
  );
}
