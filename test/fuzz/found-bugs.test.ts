/**
 * Bugs the route fuzzer (test/fuzz/fuzz-routes.ts) found, now fixed: these inputs stay as
 * plain regression tests (the fuzzer draws them only now and then).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { announcePostgresSkip, startTestServer, testDatabases, type TestServer } from "../helpers/server";

announcePostgresSkip();

describe.each(testDatabases())("hostile path and query values are a 400, not a 500, on %s", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      dialect,
      env: { JOBS_RUNNER: "off", MONITOR_INTERVAL_MINUTES: "0", LOG_LEVEL: "warn" },
    });
  });
  afterAll(async () => s?.close());

  // Was: server/auth/authorization.ts decoded path segments unguarded; a URIError became a 500.
  it.each(["/profiles/%E0%A4%A", "/users/%E0%A4%A", "/jobs/%E0%A4%A", "/profiles/%C0%AF/users"])(
    "broken percent-encoding: GET %s",
    async (p) => {
      const res = await s.admin.get(p);
      expect(res.status).toBe(400);
    },
  );

  // Was (PostgreSQL only): a NUL character reached a query ("invalid byte sequence for encoding UTF8").
  it.each(["/users/%00", "/jobs/%00", "/profiles/%00/mailbox-access", "/users/export.csv?profileId=a%00b"])(
    "NUL character: GET %s",
    async (p) => {
      const res = await s.admin.get(p);
      expect(res.status).toBeLessThan(500);
    },
  );
});
