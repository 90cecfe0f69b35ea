/**
 * `cairn schema snapshot | diff SNAPSHOT.json | apply SNAPSHOT.json [--allow-drop] [--dry-run]`:
 * the schema snapshot operations of core/snapshots, run in this process on the configured
 * database as the system. A running server on the same database follows an apply through the
 * outbox's collection events (registry, GraphQL schema); its role cache within seconds.
 * `schema diff` takes an SDL file too (cli.ts): a file is a snapshot when it ends in `.json` or
 * its first character is `{`.
 */
import { open, readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { Config } from "./config.ts";
import { systemContext } from "./core/context.ts";
import { ValidationError } from "./core/errors.ts";
import { applySnapshot, planSnapshotApply } from "./core/snapshots/apply.ts";
import { formatPlan } from "./core/snapshots/plan.ts";
import { takeSnapshot } from "./core/snapshots/take.ts";
import { openServices } from "./cli-transfer.ts";

type Usage = (message: string) => Error;

/** Whether the first positional of `schema diff` names a snapshot (not an SDL file). */
export async function isSnapshotFile(args: string[]): Promise<boolean> {
  const file = args.find((a) => !a.startsWith("-"));
  if (!file) return false;
  if (file.toLowerCase().endsWith(".json")) return true;
  if (/\.(graphql|gql|sdl)$/i.test(file)) return false;
  try {
    const handle = await open(file, "r");
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(256), 0, 256, 0);
      return buffer.subarray(0, bytesRead).toString("utf8").trimStart().startsWith("{");
    } finally {
      await handle.close();
    }
  } catch {
    return false; // the SDL diff names the unreadable file
  }
}

async function readSnapshotFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new ValidationError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ValidationError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

async function withContext<T>(config: Config, fn: (ctx: ReturnType<typeof systemContext>) => Promise<T>): Promise<T> {
  const services = await openServices(config);
  try {
    return await fn(systemContext(services, "cli-schema"));
  } finally {
    await services.close();
  }
}

/** `schema snapshot`: the document on stdout. */
export async function snapshotPrint(config: Config, args: string[], usage: Usage): Promise<number> {
  if (args.length) throw usage(`schema snapshot takes no arguments, got '${args[0]}'`);
  const snapshot = await withContext(config, takeSnapshot);
  process.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
  return 0;
}

/** `schema diff SNAPSHOT.json`: the plan on stdout. */
export async function snapshotDiff(config: Config, args: string[], usage: Usage): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw usage("schema diff takes one snapshot file (SDL files: OLD.graphql [NEW.graphql])");
  const input = await readSnapshotFile(positionals[0]!);
  const plan = await withContext(config, (ctx) => planSnapshotApply(ctx, input));
  process.stdout.write(formatPlan(plan));
  return 0;
}

/** `schema apply SNAPSHOT.json [--allow-drop] [--dry-run]`: prints the plan it carried out. */
export async function snapshotApply(config: Config, args: string[], usage: Usage): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { "allow-drop": { type: "boolean" }, "dry-run": { type: "boolean" } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw usage("schema apply takes one snapshot file");
  const input = await readSnapshotFile(positionals[0]!);
  const dryRun = values["dry-run"] === true;
  const { applied, plan } = await withContext(config, (ctx) => applySnapshot(ctx, input, { allowDrop: values["allow-drop"] === true, dryRun }));
  process.stdout.write(formatPlan(plan));
  if (applied) process.stdout.write("Applied.\n");
  else if (dryRun && plan.steps.length) process.stdout.write("Dry run: nothing was changed.\n");
  return 0;
}
