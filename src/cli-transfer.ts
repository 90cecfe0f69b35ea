/**
 * `cairn import FILE --collection C [--mode upsert] [--key K] [--atomic] [--format F]` and
 * `cairn export C [--format csv|json|ndjson|xlsx] [--filter E] [--sort S] [--fields a,b] > file`:
 * the core import and export run in this process on the configured database, as the system
 * (rules do not apply; owner_id stays empty). Nothing runs as a job here, and no job of a
 * running server is touched; the events of imported records go to the outbox, so a running
 * server publishes them (subscriptions, webhooks) as for any write. A progress bar is drawn on
 * stderr when it is a terminal.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { pipeline } from "node:stream/promises";
import { buildServices, openDatabase } from "./app.ts";
import type { Config } from "./config.ts";
import { systemContext, type Services } from "./core/context.ts";
import { ValidationError } from "./core/errors.ts";
import { loadRoles } from "./core/rules/role-cache.ts";
import { exportStream } from "./core/transfer/export.ts";
import { runImport, type ImportOptions } from "./core/transfer/import.ts";
import { uploadFormat } from "./core/transfer/stage-file.ts";
import { parseFormat } from "./core/transfer/formats.ts";
import { countRows, readRows } from "./core/transfer/sources.ts";
import { createPrisma } from "./db/prisma.ts";
import { MemoryPubSub } from "./realtime/pubsub.ts";
import { parseExpression } from "./query/parse-expression.ts";

/** A usage mistake (exit code 2). */
export class TransferUsageError extends Error {}

const log = {
  info: () => {},
  debug: () => {},
  warn: (obj: object | string, msg?: string) => console.error(msg ?? "", typeof obj === "string" ? obj : ""),
  error: (obj: object | string, msg?: string) => console.error(msg ?? "", obj),
};

/** The services the core needs, without HTTP, dispatcher or job runner. */
export async function openServices(config: Config): Promise<Services & { close(): Promise<void> }> {
  const db = await openDatabase(config, { ...log, info: () => {} });
  const prisma = await createPrisma(db);
  const services = await buildServices(config, log, db, prisma, new MemoryPubSub(log));
  await services.collections.load();
  await services.settings.reload();
  await loadRoles(services);
  return Object.assign(services, {
    async close() {
      services.sessions.close();
      await services.files.blobs.close().catch(() => {});
      await prisma.$disconnect();
      await db.close();
    },
  });
}

/** A one-line progress bar on stderr (only when it is a terminal). */
function progressBar(label: string, total: number | null): { update(n: number): void; done(): void } {
  if (!process.stderr.isTTY) return { update() {}, done() {} };
  let last = 0;
  const draw = (n: number) => {
    const width = 30;
    const share = total ? Math.min(1, n / total) : 0;
    const bar = total ? `[${"#".repeat(Math.round(share * width)).padEnd(width, ".")}] ${Math.floor(share * 100)}%` : "";
    process.stderr.write(`\r${label} ${bar} ${n}${total ? `/${total}` : ""}   `);
  };
  return {
    update(n) {
      const t = Date.now();
      if (t - last < 100) return;
      last = t;
      draw(n);
    },
    done() {
      process.stderr.write("\n");
    },
  };
}

/** `cairn import`: prints `{imported, total, created, updated, failed, errors}` as JSON on stdout. Exit 1 when an atomic import failed. */
export async function importCommand(args: string[], config: () => Config): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { collection: { type: "string", short: "c" }, mode: { type: "string" }, key: { type: "string" }, atomic: { type: "boolean" }, format: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new TransferUsageError("import needs one FILE");
  if (!values.collection) throw new TransferUsageError("import needs --collection C");
  const file = positionals[0]!;
  if (!existsSync(file)) throw new TransferUsageError(`no such file: ${file}`);
  const format = uploadFormat(file, values.format);
  const services = await openServices(config());
  try {
    const ctx = systemContext(services, "cli-import");
    const def = services.collections.require(values.collection);
    const total = process.stderr.isTTY ? await countRows(file, format, Number.MAX_SAFE_INTEGER) : null;
    const bar = progressBar(`importing into ${def.name}`, total);
    const opts: ImportOptions = { format, mode: values.mode as ImportOptions["mode"], key: values.key, atomic: values.atomic };
    try {
      const result = await runImport(ctx, def, readRows(file, format), opts, { progress: (n) => bar.update(n) });
      bar.done();
      process.stdout.write(JSON.stringify(result) + "\n");
      return 0;
    } catch (e) {
      bar.done();
      if (e instanceof Error && "status" in e && (e as { status: number }).status === 422) {
        console.error(`cairn: ${e.message}`);
        return 1;
      }
      throw e;
    }
  } finally {
    await services.close();
  }
}

/** `cairn export`: the records on stdout. */
export async function exportCommand(args: string[], config: () => Config): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { format: { type: "string", short: "f" }, filter: { type: "string" }, sort: { type: "string" }, fields: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new TransferUsageError("export needs one COLLECTION");
  const format = parseFormat(values.format);
  if (format === "xlsx" && process.stdout.isTTY) throw new TransferUsageError("xlsx is binary: redirect the output to a file (cairn export C --format xlsx > file.xlsx)");
  const services = await openServices(config());
  try {
    const ctx = systemContext(services, "cli-export");
    let filter;
    try {
      filter = values.filter ? parseExpression(values.filter) : undefined;
    } catch (e) {
      throw new ValidationError(`invalid --filter: ${(e as Error).message}`);
    }
    const fields = values.fields
      ?.split(",")
      .map((f) => f.trim())
      .filter(Boolean);
    const total = process.stderr.isTTY ? (await import("./core/records/read.ts").then((m) => m.listRecords(ctx, positionals[0]!, { filter, pageSize: 0 }))).total : null;
    const bar = progressBar(`exporting ${positionals[0]}`, total);
    let n = 0;
    const out = await exportStream(ctx, positionals[0]!, { format, filter, sort: values.sort, fields }, undefined, (k) => bar.update((n += k)));
    await pipeline(out.stream, process.stdout, { end: false });
    bar.done();
    return 0;
  } finally {
    await services.close();
  }
}
