#!/usr/bin/env node
// Launcher for `npx cairn …`: registers tsx so Node can load the TypeScript sources, then runs
// src/cli.ts (imported dynamically so the loader is in place first).
import { setFlagsFromString } from "node:v8";
import { register } from "tsx/esm/api";

// The V8 flags `npm start` passes on its command line (package.json), set before anything is
// compiled: without them this path idled at about 217 MiB instead of 148 MiB (Prisma's query
// compiler WebAssembly compiled twice by V8's optimising tier, a larger heap).
setFlagsFromString("--liftoff-only");
setFlagsFromString("--optimize-for-size");
register();
await import(new URL("../src/cli.ts", import.meta.url).href);
