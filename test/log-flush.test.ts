import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BatchedDestination } from "../server/log-destination";

const LOGGER = path.resolve(import.meta.dirname, "../server/logger.ts");

/** Runs a child that logs `lines` lines through the server's logger to its standard output, then `end`s. */
function logInChild(lines: number, end: string): Promise<{ stdout: string; code: number | null }> {
  const script = `
    import { createLogger } from ${JSON.stringify(LOGGER)};
    const log = createLogger("info");
    for (let i = 0; i < ${lines}; i++) log.info({ i, password: "Secret-Pass-1" }, "request completed");
    ${end}
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, code }));
  });
}

function expectAllLines(stdout: string, lines: number): void {
  const parsed = stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as { i: number; password: string; msg: string });
  expect(parsed.map((l) => l.i)).toEqual(Array.from({ length: lines }, (_, i) => i));
  expect(new Set(parsed.map((l) => l.password))).toEqual(new Set(["[redacted]"]));
  expect(stdout).not.toContain("Secret-Pass-1");
}

describe("log lines written off the request path", () => {
  it.each([
    ["process.exit right after logging", "process.exit(3);", 3],
    ["the event loop running empty", "", 0],
    ["an uncaught exception", 'throw new Error("boom");', 1],
  ])("reach standard output whole and in order at %s", async (_what, end, code) => {
    // 30,000 lines: several high-water writes and a remainder still gathered when the process ends.
    const result = await logInChild(30_000, end);
    expect(result.code).toBe(code);
    expectAllLines(result.stdout, 30_000);
  });

  it("gathers lines until flushed or the high-water mark, and writes the rest after partial writes and EAGAIN", () => {
    const written: Buffer[] = [];
    let calls = 0;
    const write = (_fd: number, data: Buffer): number => {
      calls++;
      // Every third call the reader is busy; otherwise it takes at most 7 bytes.
      if (calls % 3 === 0) throw Object.assign(new Error("EAGAIN"), { code: "EAGAIN" });
      const n = Math.min(7, data.length);
      written.push(Buffer.from(data.subarray(0, n)));
      return n;
    };
    const dest = new BatchedDestination({ fd: 99, highWaterChars: 1000, intervalMs: 60_000, write });
    try {
      dest.write("first line\n");
      dest.write("second line: é\n");
      expect(calls).toBe(0);
      dest.flushSync();
      expect(Buffer.concat(written).toString()).toBe("first line\nsecond line: é\n");
      // Past the high-water mark a write goes out at once; what the reader refused is kept, in order.
      written.length = 0;
      const long = Array.from({ length: 40 }, (_, i) => `line ${i} ${"x".repeat(20)}\n`);
      for (const line of long) dest.write(line);
      expect(calls).toBeGreaterThan(4);
      dest.write("last\n");
      dest.flushSync();
      expect(Buffer.concat(written).toString()).toBe(long.join("") + "last\n");
    } finally {
      dest.end();
    }
  });

  it("keeps multi-byte characters and lines longer than its buffer whole and in order", () => {
    const written: Buffer[] = [];
    const write = (_fd: number, data: Buffer): number => {
      written.push(Buffer.from(data));
      return data.length;
    };
    const dest = new BatchedDestination({ fd: 99, highWaterChars: 100, intervalMs: 60_000, write });
    try {
      const lines = [
        "before\n",
        `${"€".repeat(90)}\n`, // 270 bytes: past the high-water mark in one line
        `${"é".repeat(1000)}\n`, // longer than the whole buffer (400 bytes)
        "马".repeat(30) + "\n",
        "after\n",
      ];
      for (const line of lines) dest.write(line);
      dest.flushSync();
      expect(Buffer.concat(written).toString()).toBe(lines.join(""));
    } finally {
      dest.end();
    }
  });
});
