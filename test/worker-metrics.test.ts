import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer, type AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const TOKEN = "worker-metrics-token-0123456789abcdef0123456789";

interface Worker {
  child: ChildProcess;
  lines: string[];
  /** Its exit code, once its output is read to the end. */
  closed: Promise<number | null>;
  /**
   * Settles when it logs "worker started" (its metrics server listens by then: the line names its URL);
   * rejects, with its output, if it exits first.
   */
  started: Promise<void>;
}

/** `npm run worker`'s entry run by tsx, with only the variables given (no DATABASE_URL: SQLite in a temp dir). */
function startWorker(env: Record<string, string>): Worker {
  // Only what Node needs: the test runner's own variables (BASE_URL, NODE_ENV...) are not the worker's.
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => ["PATH", "HOME", "TMPDIR", "LANG"].includes(k)),
  );
  const child = spawn(process.execPath, ["--import", "tsx", "server/worker.ts"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...clean, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let onStarted = () => {};
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      if (line.includes('"msg":"worker started"')) onStarted();
    });
  }
  const closed = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const started = new Promise<void>((resolve, reject) => {
    onStarted = resolve;
    void closed.then((code) => reject(new Error(`worker exited (${code}): ${lines.join("\n")}`)));
  });
  started.catch(() => {}); // a worker that must refuse to start never starts: no unhandled rejection
  return { child, lines, closed, started };
}

/** A port free a moment ago, for the worker's metrics server. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("npm run worker serves its own metrics on METRICS_PORT", () => {
  let dataDir: string;
  let worker: Worker;
  let url: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "msa-worker-metrics-"));
    const port = await freePort();
    worker = startWorker({ DATA_DIR: dataDir, METRICS_TOKEN: TOKEN, METRICS_PORT: String(port) });
    url = `http://127.0.0.1:${port}`;
    // Its start compiles TypeScript (seconds on a busy machine): wait for its line, not for a time.
    await worker.started;
  }, 60_000);
  afterAll(async () => {
    if (worker.child.exitCode === null) {
      worker.child.kill("SIGTERM");
      await worker.closed;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers the token rule of GET /metrics (on 127.0.0.1, METRICS_HOST's default)", async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${url}/metrics`, { headers: { authorization: "Bearer not-the-token" } })).status,
    ).toBe(401);
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const body = await res.text();
    expect(body).toContain("# TYPE process_resident_memory_bytes gauge");
    expect(body).toContain("# TYPE mailbox_sync_job_items_total counter");
    // Read from the worker's database when scraped (no job yet: the gauge has no series).
    expect(body).toContain("# TYPE mailbox_sync_jobs gauge");
    expect(body).not.toContain(TOKEN);
  });

  it("answers 404 off /metrics and 405 for another method", async () => {
    const other = await fetch(`${url}/`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(other.status).toBe(404);
    const post = await fetch(`${url}/metrics`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(post.status).toBe(405);
  });

  it("stops with the worker on SIGTERM", async () => {
    worker.child.kill("SIGTERM");
    expect(await worker.closed).toBe(0);
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  }, 30_000);

  it("refuses to start with METRICS_PORT but no METRICS_TOKEN (exit 2, one line naming both)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "msa-worker-metrics-"));
    try {
      const bad = startWorker({ DATA_DIR: dir, METRICS_PORT: "9464" });
      expect(await bad.closed).toBe(2);
      expect(bad.lines.join("\n")).toContain("config: METRICS_PORT: set METRICS_TOKEN too");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
