// Builds the admin UI (src/admin, Preact + TypeScript) into dist/admin: hashed file names under
// assets/ (cached for a year by the server), an index.html that names them, and a brotli and a
// gzip copy of every text file next to it (served as they are: nothing is compressed per request).
// Pages are chunks of their own, loaded when first opened, so the first load carries only the
// shell. Skips the work when the sources and the Preact version are those of the last build.
// Run by `npm start` (scripts/build.ts), `npm install` (prepare) and the tests (vitest globalSetup).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const SOURCES = join(ROOT, "src/admin");
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt)$/;

export interface AdminManifest {
  /** the source hash the build was made from */
  source: string;
  /** the files the first load fetches (entry script, its static imports, stylesheet), relative to dist/admin */
  initial: string[];
  /** brotli-compressed bytes of the JavaScript the first load fetches */
  initialJsBrotli: number;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out.sort();
}

async function sourceHash(): Promise<string> {
  const hash = createHash("sha256");
  for (const file of await filesUnder(SOURCES))
    hash
      .update(relative(SOURCES, file))
      .update("\0")
      .update(await readFile(file));
  hash.update(await readFile(join(ROOT, "node_modules/preact/package.json")));
  hash.update(await readFile(fileURLToPath(import.meta.url)));
  return hash.digest("hex");
}

/** Builds dist/admin (or `outDir`) unless it is up to date; returns its manifest. */
export async function buildAdmin(outDir = join(ROOT, "dist/admin")): Promise<AdminManifest> {
  const source = await sourceHash();
  const manifestFile = join(outDir, "manifest.json");
  if (existsSync(manifestFile)) {
    const current = JSON.parse(await readFile(manifestFile, "utf8")) as AdminManifest;
    if (current.source === source) return current;
  }
  // Built beside the target and moved into place, so a server reading dist/admin never sees half a build.
  const temp = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: join(SOURCES, "main.tsx") },
    outdir: join(temp, "assets"),
    entryNames: "[name]-[hash]",
    chunkNames: "[name]-[hash]",
    assetNames: "[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome110", "firefox110", "safari16"],
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    metafile: true,
    define: { "process.env.NODE_ENV": '"production"' },
    loader: { ".svg": "file", ".png": "file" },
  });
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((f) => outputs[f]!.entryPoint?.endsWith("src/admin/main.tsx"));
  if (!entry) throw new Error("admin build: no entry output");
  const initialJs = [entry, ...outputs[entry]!.imports.filter((i) => i.kind === "import-statement").map((i) => i.path)];
  const css = outputs[entry]!.cssBundle;
  const rel = (f: string) => relative(temp, resolve(ROOT, f)).split("\\").join("/");
  const template = await readFile(join(SOURCES, "index.html"), "utf8");
  const tags = [css ? `<link rel="stylesheet" href="${rel(css)}">` : "", `<script type="module" src="${rel(entry)}"></script>`].join("\n    ");
  if (!template.includes("<!-- assets -->")) throw new Error("src/admin/index.html must hold an <!-- assets --> marker");
  await writeFile(join(temp, "index.html"), template.replace("<!-- assets -->", tags));

  let initialJsBrotli = 0;
  for (const file of await filesUnder(temp)) {
    if (!COMPRESSIBLE.test(file)) continue;
    const body = await readFile(file);
    const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
    await writeFile(`${file}.br`, br);
    await writeFile(`${file}.gz`, gzipSync(body, { level: 9 }));
    if (initialJs.some((f) => resolve(ROOT, f) === file)) initialJsBrotli += br.length;
  }
  const manifest: AdminManifest = { source, initial: [...initialJs, ...(css ? [css] : [])].map(rel), initialJsBrotli };
  await writeFile(join(temp, "manifest.json"), JSON.stringify(manifest, null, 2));
  await mkdir(resolve(outDir, ".."), { recursive: true });
  const old = `${outDir}.old-${process.pid}-${Date.now()}`;
  // Another build (a second test run, `npm start`) may be moving its own output at the same time:
  // its result is the same files, so losing the race is fine.
  await rename(outDir, old).catch(() => undefined);
  await rename(temp, outDir).catch(async (err) => {
    await rm(temp, { recursive: true, force: true });
    if (!existsSync(manifestFile)) throw err;
  });
  await rm(old, { recursive: true, force: true });
  return manifest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const manifest = await buildAdmin(process.argv[2] ? resolve(process.argv[2]) : undefined);
  const size = (await Promise.all(manifest.initial.map((f) => stat(join(process.argv[2] ?? join(ROOT, "dist/admin"), f)).then((s) => s.size)))).reduce((a, b) => a + b, 0);
  console.log(
    `admin UI: dist/admin (${Math.round(performance.now() - started)} ms; first load ${(size / 1024).toFixed(1)} KiB, ${(manifest.initialJsBrotli / 1024).toFixed(1)} KiB of JavaScript compressed)`,
  );
}
