#!/usr/bin/env node
// Launcher for `npx cairn …`: registers tsx so Node can load the TypeScript sources, then runs
// src/cli.ts (imported dynamically so the loader is in place first).
import { register } from "tsx/esm/api";

register();
await import(new URL("../src/cli.ts", import.meta.url).href);
