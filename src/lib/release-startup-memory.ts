/**
 * One memory-reducing collection once the server is up. Start-up (migrations, the collection
 * registry, the first schema and route compilations) allocates much that lives only briefly:
 * V8 grows the young generation to its maximum for it (16 MiB committed with `npm start`'s 8 MiB
 * semi-spaces on PostgreSQL) and keeps it, and an idle server runs no collection that would give
 * it back. V8 shrinks the young generation and compacts the old one only in a collection that
 * aims to reduce memory, which Node's `gc()` cannot ask for (it runs an ordinary one); its heap
 * profiler's `collectGarbage` does, through an in-process inspector session (no port opens).
 */
import type { Session } from "node:inspector";

let released = false;

/**
 * Runs the collection (once; later calls do nothing). Resolves true when it ran, false when it
 * was already done or the runtime has no inspector.
 */
export async function releaseStartupMemory(): Promise<boolean> {
  if (released) return false;
  released = true;
  let session: Session;
  try {
    const { Session } = await import("node:inspector");
    session = new Session();
    session.connect();
  } catch {
    return false; // a Node built without the inspector
  }
  try {
    await new Promise<void>((resolve, reject) => session.post("HeapProfiler.collectGarbage", (err) => (err ? reject(err) : resolve())));
  } finally {
    // Disconnected on a later turn: a session disconnected inside its own callback kept the
    // process from exiting.
    setImmediate(() => session.disconnect());
  }
  return true;
}
