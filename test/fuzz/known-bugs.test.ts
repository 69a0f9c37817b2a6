/**
 * Bugs the route fuzzer (test/fuzz/endpoints.fuzz.test.ts) found in code other engineers own. Each
 * test fails until its bug is fixed; the fuzzer skips these inputs (its `knownBug`) so that it keeps
 * finding new ones. When a test here passes, delete the matching line of `knownBug`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { announcePostgresSkip, startTestServer, testDatabases, type TestServer } from "../helpers/server";

announcePostgresSkip();

describe.each(testDatabases())("hostile path and query values are a 400, not a 500, on %s", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ dialect, env: { JOBS_RUNNER: "off", MONITOR_INTERVAL_MINUTES: "0", LOG_LEVEL: "warn" } });
  });
  afterAll(async () => s?.close());

  // Cause: server/auth/authorization.ts `matchEndpoint` calls decodeURIComponent on the path's
  // segments; a URIError becomes an opaque 500.
  it.each(["/profiles/%E0%A4%A", "/users/%E0%A4%A", "/jobs/%E0%A4%A", "/profiles/%C0%AF/users"])("broken percent-encoding: GET %s", async (p) => {
    const res = await s.admin.get(p);
    expect(res.status).toBe(400);
  });

  // Cause (PostgreSQL only): a NUL character reaches a query ("invalid byte sequence for encoding
  // UTF8: 0x00"); `param()` and the id schemas accept it. SQLite stores it.
  it.each(["/users/%00", "/jobs/%00", "/profiles/%00/mailbox-access", "/users/export.csv?profileId=a%00b"])("NUL character: GET %s", async (p) => {
    const res = await s.admin.get(p);
    expect(res.status).toBeLessThan(500);
  });
});
