import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../auth/principal";
import { setProfileAdmins } from "../../test/factories/profiles";
import {
  announcePostgresSkip,
  startTestServer,
  testDatabases,
  type TestServer,
} from "../../test/helpers/server";

announcePostgresSkip();

describe.each(testDatabases())("audit events API on %s", (dialect) => {
  let s: TestServer;
  let a: string;
  let b: string;
  beforeAll(async () => {
    s = await startTestServer({ dialect });
    a = (await s.admin.post("/profiles", { name: "Audit A" })).body.data.id;
    b = (await s.admin.post("/profiles", { name: "Audit B" })).body.data.id;
    await s.admin.patch(`/profiles/${a}`, { description: "changed" });
    await s.admin.post(`/profiles/${a}/users`, { text: "au1@x.com" });
  });
  afterAll(() => s.close());

  it("should require authentication", async () => {
    expect((await s.anonymous.get("/audit-events")).status).toBe(401);
  });

  it("lists newest first with a keyset cursor, filtered by profile", async () => {
    const first = await s.admin.get(`/audit-events?profileId=${a}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.data.map((e: { action: string }) => e.action)).toEqual([
      "users.import",
      "profile.update",
    ]);
    expect(first.body.data[0]).toMatchObject({
      actor: "admin@example.com",
      profileId: a,
      after: { added: 1, duplicates: 0, invalid: 0 },
    });
    const second = await s.admin.get(`/audit-events?profileId=${a}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data.map((e: { action: string }) => e.action)).toEqual(["profile.create"]);
    expect(second.body.nextCursor).toBeNull();
    const all = (await s.admin.get("/audit-events?limit=500")).body.data as {
      id: number;
      profileId: string | null;
    }[];
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((x, y) => y - x));
    expect(all.some((e) => e.profileId === b)).toBe(true);
    expect(all.some((e) => e.profileId === null)).toBe(true);
  });

  it("shows a profile admin only their profiles' events", async () => {
    await setProfileAdmins(s.ctx, a, ["pa@contoso.com"]);
    const pa: Principal = {
      kind: "entra",
      id: "o",
      name: "pa@contoso.com",
      upn: "pa@contoso.com",
      platformAdmin: false,
    };
    const page = await s.ctx.services.auditEvents.list(pa, { limit: 500 });
    expect(new Set(page.data.map((e) => e.profileId))).toEqual(new Set([a]));
    await expect(s.ctx.services.auditEvents.list(pa, { profileId: b, limit: 10 })).rejects.toMatchObject({
      status: 403,
    });
  });

  it("answers 400 for a bad query and 404 for an unknown profile", async () => {
    for (const q of ["limit=0", "limit=501", "cursor=abc", "cursor=-1"]) {
      const res = await s.admin.get(`/audit-events?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.message).toMatch(/limit|cursor/);
    }
    expect((await s.admin.get("/audit-events?profileId=nope")).status).toBe(404);
  });
});
