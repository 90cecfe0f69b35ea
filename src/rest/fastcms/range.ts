/**
 * The HTTP Range header for downloads (RFC 9110 §14): one byte range, `bytes=a-b`, `bytes=a-`
 * or `bytes=-n`. Other forms (several ranges, other units, bad syntax) are ignored and the whole
 * file is sent, as the RFC allows.
 */
import type { ByteRange } from "../../storage/blob-store.ts";

/** The range to send, "unsatisfiable" (→ 416), or undefined for the whole file. */
export function parseRange(header: string | undefined, size: number): ByteRange | "unsatisfiable" | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return "unsatisfiable";
  if (end < start) return undefined;
  return { start, end };
}
