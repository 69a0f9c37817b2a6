/**
 * Sessions end at an absolute lifetime (SESSION_MAX_HOURS) as well as when idle, and sign-in attempts are
 * limited per account whatever address they come from (docs/SECURITY.md). On both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backdateSession, newestSession, sessionRows } from "../factories/sessions";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  announcePostgresSkip,
  ApiClient,
  startTestServer,
  testDatabases,
  type TestServer,
} from "../helpers/server";

announcePostgresSkip();

const HOUR = 3600_000;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

describe.each(testDatabases())("sessions and sign-in (%s)", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      dialect,
      env: { JOBS_RUNNER: "off", MONITOR_INTERVAL_MINUTES: "0", TRUST_PROXY: "1", SESSION_MAX_HOURS: "8" },
    });
  });
  afterAll(async () => s?.close());

  /** A new signed-in client and its session row's key (the newest session). */
  async function signedIn(ip: string): Promise<{ client: ApiClient; idHash: string }> {
    const client = new ApiClient(s.url).withHeaders({ "x-forwarded-for": ip });
    await client.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const row = await newestSession(s.ctx);
    return { client, idHash: row.idHash };
  }
  const age = (idHash: string, values: { createdAt: string; lastSeenAt: string; expiresAt: string }) =>
    backdateSession(s.ctx, idHash, values);

  it("ends a session SESSION_MAX_HOURS after sign-in even while it is in use", async () => {
    const { client, idHash } = await signedIn("10.9.0.1");
    expect((await client.get("/auth/me")).status).toBe(200);
    // Signed in 8 h ago, seen a minute ago: the idle timeout alone would keep it open for hours.
    await age(idHash, {
      createdAt: iso(8 * HOUR + 1000),
      lastSeenAt: iso(60_000),
      expiresAt: iso(-11 * HOUR),
    });
    expect((await client.get("/auth/me")).status).toBe(401);
    expect(await sessionRows(s.ctx, idHash)).toEqual([]);
  });

  it("slides the idle expiry, never past the absolute end, and the cookie lives as long", async () => {
    const client = new ApiClient(s.url).withHeaders({ "x-forwarded-for": "10.9.0.2" });
    const res = await client.post("/auth/login", { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(res.headers.get("set-cookie")).toContain(`Max-Age=${8 * 3600}`);
    const { idHash } = await newestSession(s.ctx);
    const createdAt = iso(7 * HOUR);
    await age(idHash, { createdAt, lastSeenAt: iso(5 * 60_000), expiresAt: iso(-HOUR) });
    expect((await client.get("/auth/me")).status).toBe(200);
    const [row] = await sessionRows(s.ctx, idHash);
    expect(Date.parse(row.expiresAt)).toBe(Date.parse(createdAt) + 8 * HOUR);
  });

  it("limits failed sign-ins per account across addresses (normalised e-mail), not only per address", async () => {
    for (let i = 1; i <= 10; i++) {
      const attacker = new ApiClient(s.url).withHeaders({ "x-forwarded-for": `203.0.113.${i}` });
      const email = i % 2 ? ADMIN_EMAIL : ADMIN_EMAIL.toUpperCase();
      expect((await attacker.post("/auth/login", { email, password: "Wrong-Password-123" })).status).toBe(
        401,
      );
    }
    // The right password, from an address never seen: the account's limit holds.
    const fresh = new ApiClient(s.url).withHeaders({ "x-forwarded-for": "198.51.100.7" });
    const limited = await fresh.post("/auth/login", { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ id: "rate_limited" });
    expect(limited.body.error.message).toMatch(/this account/);
    // Another account is not held back by it.
    const other = await fresh.post("/auth/login", {
      email: "someone@example.com",
      password: "Wrong-Password-123",
    });
    expect(other.status).toBe(401);
  });
});
