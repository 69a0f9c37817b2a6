/**
 * A full SQLite database (`PRAGMA max_page_count` below what a bulk add needs): the add is refused
 * with an error body that has a message, nothing of it is stored (no partial rows), the file passes
 * `PRAGMA integrity_check`, and once there is room again the same add works.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { setSqliteMaxPageCount, sqliteIntegrityCheck, sqlitePageCount } from "../factories/sqlite";
import { countRows } from "../factories/tables";
import { startTestServer, type TestServer } from "../helpers/server";

const count = (s: TestServer, table: "users" | "userWords" | "auditEvents") => countRows(s.ctx, table);

describe("a full SQLite database", () => {
  let s: TestServer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a bulk add of 10,000 users with a message, keeps nothing of it, and stays intact", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "msa-full-"));
    s = await startTestServer({
      sqliteFile: path.join(dir, "full.db"),
      env: { JOBS_RUNNER: "off", MONITOR_INTERVAL_MINUTES: "0", LOG_LEVEL: "warn" },
    });
    const profileId = (await s.admin.post("/profiles", { name: "Full" })).body.data.id as string;
    // The server has one SQLite connection, so this pragma applies to it: a few pages of room left.
    const pages = await sqlitePageCount(s.ctx);
    await setSqliteMaxPageCount(s.ctx, pages + 20);
    const before = {
      users: await count(s, "users"),
      words: await count(s, "userWords"),
      audit: await count(s, "auditEvents"),
    };

    const text = Array.from({ length: 10_000 }, (_, i) => `full.user${i}@contoso.com,Full User ${i}`).join(
      "\n",
    );
    const res = await s.admin.post(`/profiles/${profileId}/users`, { text });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(typeof res.body.error?.message).toBe("string");
    expect(res.body.error.message.length).toBeGreaterThan(10);
    console.log(`full database: ${res.status} ${JSON.stringify(res.body.error)}`);
    // An operator must read "the database is full" from the answer, not an opaque internal_error.
    expect(res.body.error.id).toBe("storage_full");

    expect({
      users: await count(s, "users"),
      words: await count(s, "userWords"),
      audit: await count(s, "auditEvents"),
    }).toEqual(before);
    const integrity = await sqliteIntegrityCheck(s.ctx);
    expect(integrity).toEqual([{ integrityCheck: "ok" }]);

    // Room again (an operator freed disk space): the same request works.
    await setSqliteMaxPageCount(s.ctx, 1073741823);
    const retry = await s.admin.post(`/profiles/${profileId}/users`, { text });
    expect(retry.status, retry.text.slice(0, 300)).toBe(200);
    expect(retry.body.data.added).toBe(10_000);
  }, 60_000);
});
