/**
 * Loads the Prisma query compiler's WebAssembly for the built server (scripts/build.ts points the
 * generated clients here). Prisma ships the module as a JavaScript file holding one base64 string;
 * importing it keeps that text twice in the heap for the life of the process (the module source
 * and the string constant: about 4.4 MiB for the small compiler). Reading the file instead decodes
 * it once and lets both go.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Compiles the query compiler from Prisma's `…wasm-base64.mjs` module `specifier` without
 * importing it. Throws when the file does not hold a single quoted base64 string.
 */
export function loadQueryCompilerWasm(specifier: string): WebAssembly.Module {
  const text = readFileSync(fileURLToPath(import.meta.resolve(specifier)));
  const start = text.indexOf(0x22); // the string's opening quote
  const end = text.lastIndexOf(0x22);
  if (start < 0 || end <= start) throw new Error(`${specifier} does not hold the base64 text of a WebAssembly module`);
  return new WebAssembly.Module(Buffer.from(text.subarray(start + 1, end).toString("latin1"), "base64"));
}
