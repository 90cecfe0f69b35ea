// Builds the server into dist/app/cli.js: our TypeScript (including the generated Prisma client)
// bundled by esbuild into an ES module (plus one chunk per dynamic import, loaded when used),
// dependencies left as imports from node_modules.
// Running plain JavaScript instead of transforming TypeScript at start-up (tsx) saves about
// 55 MiB of resident memory and the transform time. The bundle sits two levels below the
// project root, like every src/ module, so `import.meta.url`-relative paths
// (prisma/migrations) resolve the same way from both. An argument names another output file at
// the same depth (test/api/idle-memory.test.ts builds its own copy).
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { build, type Plugin } from "esbuild";
import { buildAdmin } from "./build-admin.ts";

// The generated Prisma clients import the query compiler as a JavaScript module holding its
// base64 text, which then stays in the heap twice (src/db/prisma-wasm.ts). Point them at the
// loader that reads the file instead. A generated client of another shape fails the build here.
const WASM_IMPORT = /const \{ wasm \} = await import\(("@prisma\/client\/runtime\/query_compiler_[\w.]+\.wasm-base64\.mjs")\)\s*return await decodeBase64AsWasm\(wasm\)/;
const prismaWasm: Plugin = {
  name: "prisma-wasm",
  setup(b) {
    b.onLoad({ filter: /src[\\/]generated[\\/]prisma(-pg)?[\\/]internal[\\/]class\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!WASM_IMPORT.test(source)) throw new Error(`${args.path}: the query compiler import changed shape; update scripts/build.ts`);
      const loader = JSON.stringify(resolve("src/db/prisma-wasm.ts"));
      return { contents: `import { loadQueryCompilerWasm } from ${loader};\n${source.replace(WASM_IMPORT, "return loadQueryCompilerWasm($1)")}`, loader: "ts" };
    });
  },
};

// graphql-scalars' entry loads all of its ~80 scalars (200 kB of source kept in the heap) for
// the two we use: bundle its ES modules so only those two are kept (graphql stays external).
const treeShaken: Plugin = {
  name: "tree-shaken",
  setup(b) {
    b.onResolve({ filter: /^graphql-scalars$/ }, () => ({ path: resolve("node_modules/graphql-scalars/esm/index.js") }));
  },
};

const outfile = process.argv[2] ?? "dist/app/cli.js";
const result = await build({
  entryPoints: { [basename(outfile, ".js")]: "src/cli.ts" },
  outdir: dirname(outfile),
  // Dynamic imports become chunks of their own, loaded when first used: without splitting
  // esbuild inlines them, and their packages (the AWS SDK, pg on SQLite, …) load at start-up.
  // Chunks sit next to the entry, at the same depth (see above).
  splitting: true,
  chunkNames: "[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  legalComments: "none",
  logLevel: "warning",
  plugins: [prismaWasm, treeShaken],
  metafile: true,
});

// Chunks of earlier builds (their names carry a content hash) would otherwise pile up.
const written = new Set(Object.keys(result.metafile.outputs).map((f) => resolve(f)));
for (const name of await readdir(dirname(outfile))) {
  const file = resolve(dirname(outfile), name);
  if (/-[A-Z0-9]{8}\.js(\.map)?$/.test(name) && !written.has(file)) await rm(file);
}

// V8 keeps each module's source text in the heap (it compiles functions when first called), and
// one character beyond Latin-1 makes the whole text a two-byte string: 2 MiB instead of 1 for
// the entry. esbuild escapes such characters in code but copies the comments it keeps (class
// members' doc comments) verbatim; write theirs as \u escapes, which only comments can hold here.
for (const file of written) {
  if (!file.endsWith(".js")) continue;
  const text = await readFile(file, "utf8");
  if (!/[^\t-\xff]/.test(text)) continue;
  const lines = text.split("\n").map((line, i) => {
    if (!/[^\t-\xff]/.test(line)) return line;
    if (!/^\s*(\/\*|\*|\/\/)/.test(line)) throw new Error(`${file}:${i + 1}: a character beyond Latin-1 outside a comment line; update scripts/build.ts`);
    return line.replace(/[^\t-\x7f]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
  });
  await writeFile(file, lines.join("\n"));
}

// The admin UI (dist/admin), unless it is already built from the same sources.
if (!process.argv[2]) await buildAdmin();
