/**
 * Every runtime dependency must load under plain Node ESM on this Node version. Loaders such as
 * tsx or vitest can mask a broken install (a named export missing from a transitive package
 * that an override pinned too old), so each is imported in a fresh `node` process.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
// CLI-only packages; @prisma/client's root needs the legacy generator — Cairn imports its runtime.
const NOT_IMPORTABLE = new Set(["prisma", "tsx", "@prisma/client"]);
const modules = [...Object.keys(pkg.dependencies).filter((m) => !NOT_IMPORTABLE.has(m)), "@prisma/client/runtime/client"];

describe("runtime dependencies", () => {
  it("all import under plain Node ESM", () => {
    const script = `const failed = []; for (const m of ${JSON.stringify(modules)}) { try { await import(m); } catch (e) { failed.push(m + ": " + e.message); } } console.log(JSON.stringify(failed));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", cwd: new URL("../..", import.meta.url) });
    expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual([]);
    expect(modules.length).toBeGreaterThan(10);
  }, 60_000);
});
