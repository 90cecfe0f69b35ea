#!/usr/bin/env node
// Launcher for `npx cairn …`: registers tsx so Node can load the TypeScript sources, then runs
// src/cli.ts (imported dynamically so the loader is in place first).
import { setFlagsFromString } from "node:v8";
import { register } from "tsx/esm/api";

// The V8 flags `npm start` passes on its command line (scripts/start.sh), set before anything is
// compiled: without --liftoff-only V8 compiles Prisma's query compiler WebAssembly a second time
// with its optimising tier. (--optimize-for-size is not used: it doubled the CPU time per request.)
// A fixed heap growing factor keeps the old generation from growing to four times what is live
// under load (--v8-pool-size, the semi-space size and MALLOC_ARENA_MAX cannot be set from here: V8 and
// glibc read them at start-up, so only `npm start`, through scripts/start.sh, has them).
setFlagsFromString("--liftoff-only");
setFlagsFromString("--heap-growing-percent=30");
register();
await import(new URL("../src/cli.ts", import.meta.url).href);
