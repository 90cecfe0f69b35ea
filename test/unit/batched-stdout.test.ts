/**
 * The log destination's writes: every line of a turn in one write (several when they outgrow its buffer, in order), byte for byte (multi-byte
 * characters included), and nothing lost when the descriptor is a full non-blocking pipe (the
 * string write stops part-way; the rest goes out as bytes once a reader drains the pipe).
 */
import { spawn, execFileSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BatchedStdout } from "../../src/lib/batched-stdout.ts";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "cairn-batched-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("BatchedStdout", () => {
  it("writes a turn's lines together, byte for byte", async () => {
    const file = join(tempDir(), "out.log");
    const fd = openSync(file, "w");
    try {
      const out = new BatchedStdout(fd);
      const lines = ['{"msg":"plain"}\n', '{"msg":"é ü ß"}\n', '{"msg":"😀 \\u2028"}\n'];
      for (const l of lines) out.write(l);
      expect(readFileSync(file, "utf8")).toBe(""); // held until the turn ends
      await nextTurn();
      expect(readFileSync(file, "utf8")).toBe(lines.join(""));
      out.write("after\n");
      out.flush();
      expect(readFileSync(file, "utf8")).toBe(lines.join("") + "after\n");
    } finally {
      closeSync(fd);
    }
  });

  it("writes a turn larger than its buffer in order, lines longer than the buffer included", async () => {
    const file = join(tempDir(), "out.log");
    const fd = openSync(file, "w");
    try {
      const out = new BatchedStdout(fd);
      // 2,000 lines of about 250 bytes (multi-byte characters), one of 300 KB in the middle
      const lines = Array.from({ length: 2000 }, (_, i) => (i === 1000 ? `${"ü".repeat(150_000)}\n` : `{"n":${i},"msg":"${"é".repeat(120)}"}\n`));
      for (const l of lines) out.write(l);
      await nextTurn();
      expect(readFileSync(file, "utf8")).toBe(lines.join(""));
    } finally {
      closeSync(fd);
    }
  });

  it("loses nothing on a full non-blocking pipe, even in the middle of a multi-byte character", async () => {
    const dir = tempDir();
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    // Read-write so the open does not wait for a reader; non-blocking so a full pipe says EAGAIN.
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const copied = join(dir, "copied");
    // 3-byte characters after a 2-byte prefix: the 64 KiB pipe fills in the middle of one
    const lines = Array.from({ length: 4 }, (_, i) => `${i}x${"€".repeat(20_000)}\n`);
    const expected = Buffer.from(lines.join(""));
    // The reader starts after the write has filled the pipe and is retrying.
    const reader = spawn("sh", ["-c", `sleep 0.3; exec head -c ${expected.length} "${fifo}" > "${copied}"`], { stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => reader.on("exit", resolve));
    try {
      const out = new BatchedStdout(fd);
      for (const l of lines) out.write(l);
      out.flush(); // returns once everything is in the pipe or read
      expect(await exited).toBe(0);
      expect(readFileSync(copied).equals(expected)).toBe(true);
    } finally {
      reader.kill();
      closeSync(fd);
    }
  });
});
