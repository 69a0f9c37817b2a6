/**
 * A SQLite database file that can't be written (here: `chattr +i`, which stops root too, unlike chmod):
 * the server refuses to start with one clear line naming the problem, instead of starting and failing
 * each write. The data in the file is untouched.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testConfig } from "../../server/config";
import { startServer, type RunningServer } from "../../server/server";
import { ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from "../helpers/server";

function chattr(flag: "+i" | "-i", file: string): boolean {
  try {
    execFileSync("chattr", [flag, file], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("a read-only SQLite database", () => {
  let dir: string | undefined;
  let file: string | undefined;
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close().catch(() => undefined);
    if (file) chattr("-i", file);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("stops the start with a clear error, or refuses writes with one, and keeps the data", async (ctx) => {
    dir = mkdtempSync(path.join(tmpdir(), "msa-ro-"));
    file = path.join(dir, "ro.db");
    const env = { JOBS_RUNNER: "off", MONITOR_INTERVAL_MINUTES: "0", LOG_LEVEL: "warn" };
    const first = await startTestServer({ sqliteFile: file, env });
    expect((await first.admin.post("/profiles", { name: "Kept" })).status).toBe(201);
    await first.close();
    if (!chattr("+i", file)) ctx.skip(); // not root, or a file system without the immutable flag

    let running: RunningServer | undefined;
    let startError: Error | undefined;
    try {
      running = await startServer({
        config: testConfig({
          PORT: "0",
          DATA_DIR: dir,
          SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
          ...env,
        }),
        store: { sqliteFile: file },
      });
    } catch (err) {
      startError = err instanceof Error ? err : new Error(String(err));
    }
    if (startError) {
      console.log(`read-only database: the start failed with: ${startError.message}`);
      expect(startError.message).toMatch(/read-?only|readonly|permission|not permitted/i);
    } else {
      // It started: reads work, and every write must fail with a message that names the problem.
      const client = new ApiClient(running!.url);
      const signIn = await client.post("/auth/login", { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      console.log(
        `read-only database: the server started; sign-in (a write) answered ${signIn.status} ${signIn.text.slice(0, 200)}`,
      );
      expect(signIn.status).toBeGreaterThanOrEqual(400);
      // Named, not an opaque internal_error.
      expect(signIn.body.error?.id).toBe("storage_read_only");
      await running!.close();
    }
    await s?.close().catch(() => undefined);
    s = undefined;
    chattr("-i", file);
    const again = await startTestServer({ sqliteFile: file, env });
    s = again;
    const names = (await again.admin.get("/profiles")).body.data.map((p: { name: string }) => p.name);
    expect(names).toContain("Kept");
    expect(names).not.toContain("Refused");
  }, 60_000);
});
