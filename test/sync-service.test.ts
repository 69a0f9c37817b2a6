import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiClient,
  announcePostgresSkip,
  startTestServer,
  testDatabases,
  type TestServer,
} from "./helpers/server";
import { movableClock } from "../server/domain/clock";
import { auditEvents } from "./factories/audit";
import { countSyncSessions, serviceKeyRows } from "./factories/sync";
import { insertUsers, userRow } from "./factories/users";
import { realDelay } from "./helpers/real-delay";

announcePostgresSkip();

describe.each(testDatabases())("sync service interface on %s", (dialect) => {
  let s: TestServer;
  let profileId: string;
  let key: string;
  let sync: ApiClient;
  /** The server's clock: the real one, moved forward where a test lets a key expire. */
  const clock = movableClock();

  const createKey = async (body: Record<string, unknown>) => {
    const res = await s.admin.post("/service-keys", body);
    expect(res.status).toBe(201);
    return res.body.data as { id: string; key: string };
  };

  beforeAll(async () => {
    s = await startTestServer({
      dialect,
      clock,
      env: { EWS_ALLOWED_HOSTS: "127.0.0.1", WEBHOOK_ALLOWED_HOSTS: "127.0.0.1" },
    });
    profileId = (await s.admin.post("/profiles", { name: "Sync" })).body.data.id;
    await insertUsers(s.ctx, profileId, 5, { state: "active", prefix: "active" });
    await insertUsers(s.ctx, profileId, 2, { state: "error", prefix: "broken" });
    key = (await createKey({ name: "CRM sync", scopes: ["roster:read", "reports:write", "ews:proxy"] })).key;
    sync = new ApiClient(s.url, { authorization: `Bearer ${key}` });
  });
  afterAll(() => s.close());

  it("shows a key once and stores only its hash", async () => {
    expect(key).toMatch(/^msk_[A-Za-z0-9_-]{43}$/);
    const listed = await s.admin.get("/service-keys");
    expect(listed.text).not.toContain(key);
    const rows = await serviceKeyRows(s.ctx);
    expect(JSON.stringify(rows)).not.toContain(key.slice(4));
  });

  it("should require a platform admin to manage keys", async () => {
    expect((await s.anonymous.get("/service-keys")).status).toBe(401);
    expect((await sync.get("/service-keys")).status).toBe(401);
  });

  it("refuses admin sessions on /sync and service keys on admin routes", async () => {
    const res = await s.admin.get("/sync/mailboxes");
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/service key/);
    expect((await sync.get("/profiles")).status).toBe(401);
    expect(
      (await new ApiClient(s.url, { authorization: "Bearer msk_unknown" }).get("/sync/mailboxes")).status,
    ).toBe(401);
  });

  it("lists the roster in pages, with syncAllowed only for active mailboxes of enabled profiles", async () => {
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await sync.get(`/sync/mailboxes?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data);
      cursor = res.body.nextCursor;
    } while (cursor);
    const mine = seen.filter((m) => m.profileId === profileId);
    expect(mine).toHaveLength(7);
    expect(new Set(mine.map((m) => m.address)).size).toBe(7);
    expect(mine.filter((m) => m.syncAllowed)).toHaveLength(5);
    expect(mine.find((m) => m.address.startsWith("broken"))).toMatchObject({
      state: "error",
      syncAllowed: false,
    });
  });

  it("answers changes since a time: a paused profile and a deleted profile's mailboxes", async () => {
    const other = (await s.admin.post("/profiles", { name: "Gone soon" })).body.data.id;
    await insertUsers(s.ctx, other, 2, { state: "not-activated", prefix: "gone" });
    const since = new Date().toISOString();
    await realDelay(5, "a later timestamp than `since`");
    expect((await s.admin.patch(`/profiles/${profileId}`, { syncEnabled: false })).status).toBe(200);
    expect((await s.admin.delete(`/profiles/${other}`)).status).toBe(204);
    const res = await sync.get(`/sync/mailboxes?updatedSince=${encodeURIComponent(since)}&limit=1000`);
    expect(res.status).toBe(200);
    const changed = res.body.data as any[];
    expect(
      changed
        .filter((m) => m.profileId === profileId && m.state === "active")
        .every((m) => m.syncAllowed === false),
    ).toBe(true);
    expect(
      changed
        .filter((m) => m.state === "removed")
        .map((m) => m.address)
        .sort(),
    ).toEqual(["gone00000@contoso.com", "gone00001@contoso.com"]);
    await s.admin.patch(`/profiles/${profileId}`, { syncEnabled: true });
  });

  it("records reports: last synced and errors, never moving backwards", async () => {
    const address = "active00000@contoso.com";
    const ok = await sync.post(`/sync/mailboxes/${address}/reports`, {
      startedAt: "2026-11-26T10:00:00Z",
      finishedAt: "2026-11-26T10:01:00Z",
      itemsIn: 12,
      itemsOut: 3,
      errors: [],
    });
    expect(ok.status).toBe(201);
    const older = await sync.post(`/sync/mailboxes/${address}/reports`, {
      startedAt: "2026-11-26T09:00:00Z",
      finishedAt: "2026-11-26T09:01:00Z",
      itemsIn: 1,
      itemsOut: 0,
      errors: [{ code: "ErrorItemNotFound", message: "gone" }],
    });
    expect(older.status).toBe(201);
    const user = await userRow(s.ctx, { addressLower: address });
    expect(user.lastSyncAt).toBe("2026-11-26T10:01:00.000Z");
    expect(user.syncErrors).toBeNull();
    const detail = await s.admin.get(`/users/${user.id}`);
    expect(detail.body.data.syncSessions.map((x: any) => [x.finishedAt, x.ok, x.itemsIn])).toEqual([
      ["2026-11-26T10:01:00.000Z", true, 12],
      ["2026-11-26T09:01:00.000Z", false, 1],
    ]);
  });

  it("refuses bad reports with a clear 4xx and stores nothing", async () => {
    const before = await countSyncSessions(s.ctx);
    const cases = [
      { startedAt: "yesterday", finishedAt: "2026-11-26T10:01:00Z", itemsIn: 1, itemsOut: 1 },
      { startedAt: "2026-11-26T10:02:00Z", finishedAt: "2026-11-26T10:01:00Z", itemsIn: 1, itemsOut: 1 },
      { startedAt: "2026-11-26T10:00:00Z", finishedAt: "2026-11-26T10:01:00Z", itemsIn: -1, itemsOut: 1 },
    ];
    for (const body of cases) {
      expect((await sync.post("/sync/mailboxes/active00001@contoso.com/reports", body)).status).toBe(400);
    }
    expect(
      (
        await sync.post("/sync/mailboxes/nobody@contoso.com/reports", {
          startedAt: "2026-11-26T10:00:00Z",
          finishedAt: "2026-11-26T10:01:00Z",
          itemsIn: 0,
          itemsOut: 0,
        })
      ).status,
    ).toBe(404);
    const after = await countSyncSessions(s.ctx);
    expect(Number(after)).toBe(Number(before));
  });

  it("enforces scopes, profile restriction, revocation and expiry", async () => {
    const rosterOnly = await createKey({ name: "roster", scopes: ["roster:read"] });
    const c = new ApiClient(s.url, { authorization: `Bearer ${rosterOnly.key}` });
    expect((await c.get("/sync/mailboxes")).status).toBe(200);
    const refused = await c.post("/sync/mailboxes/active00001@contoso.com/reports", {
      startedAt: "2026-11-26T10:00:00Z",
      finishedAt: "2026-11-26T10:01:00Z",
      itemsIn: 0,
      itemsOut: 0,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/reports:write/);

    const otherProfile = (await s.admin.post("/profiles", { name: "Elsewhere" })).body.data.id;
    const bound = await createKey({ name: "bound", scopes: ["roster:read"], profileId: otherProfile });
    const b = new ApiClient(s.url, { authorization: `Bearer ${bound.key}` });
    expect((await b.get("/sync/mailboxes")).body.data).toEqual([]);

    expect((await s.admin.delete(`/service-keys/${rosterOnly.id}`)).status).toBe(204);
    const revoked = await c.get("/sync/mailboxes");
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toMatch(/revoked/);

    expect(
      (
        await s.admin.post("/service-keys", {
          name: "past",
          scopes: ["roster:read"],
          expiresAt: "2020-01-01T00:00:00Z",
        })
      ).status,
    ).toBe(400);
    const expiring = await createKey({
      name: "short",
      scopes: ["roster:read"],
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    clock.advance(61_000); // the key expired
    expect(
      (await new ApiClient(s.url, { authorization: `Bearer ${expiring.key}` }).get("/sync/mailboxes")).status,
    ).toBe(401);
  });

  it("raises the profile's alert after repeated failed sessions (one webhook card), and clears it when sync recovers", async () => {
    const cards: any[] = [];
    const receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        cards.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const port = (receiver.address() as AddressInfo).port;
    try {
      expect(
        (await s.admin.put("/settings", { alertWebhookUrl: `http://127.0.0.1:${port}/hook` })).status,
      ).toBe(200);
      const address = "active00002@contoso.com";
      const failed = (minute: number) => ({
        startedAt: `2026-11-26T11:${minute}0:00Z`,
        finishedAt: `2026-11-26T11:${minute}1:00Z`,
        itemsIn: 0,
        itemsOut: 0,
        errors: [{ code: "ErrorQuotaExceeded", message: "The mailbox is full." }],
      });
      for (const minute of [1, 2]) {
        expect((await sync.post(`/sync/mailboxes/${address}/reports`, failed(minute))).status).toBe(201);
      }
      expect((await s.admin.get(`/profiles/${profileId}`)).body.data.alert).toBeNull();
      for (const minute of [3, 4]) {
        expect((await sync.post(`/sync/mailboxes/${address}/reports`, failed(minute))).status).toBe(201);
      }
      const alert = (await s.admin.get(`/profiles/${profileId}`)).body.data.alert;
      expect(alert).toMatchObject({ kind: "sync-failures" });
      expect(alert.message).toContain("The mailbox is full.");
      await expect.poll(() => cards.length).toBe(1);
      expect(cards[0].attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");

      const ok = {
        startedAt: "2026-11-26T12:00:00Z",
        finishedAt: "2026-11-26T12:01:00Z",
        itemsIn: 3,
        itemsOut: 0,
        errors: [],
      };
      expect((await sync.post(`/sync/mailboxes/${address}/reports`, ok)).status).toBe(201);
      expect((await s.admin.get(`/profiles/${profileId}`)).body.data.alert).toBeNull();
      const actions = (await auditEvents(s.ctx, { profileId, actionLike: "profile.alert%" })).map(
        (a) => a.action,
      );
      expect(actions).toEqual(["profile.alert.raise", "profile.alert.clear"]);
      expect(cards).toHaveLength(1);
    } finally {
      await s.admin.put("/settings", { alertWebhookUrl: null });
      await new Promise((r) => receiver.close(r));
    }
  });

  it("never logs a service key", () => {
    expect(s.logs.join("\n")).not.toContain(key.slice(4));
  });
});
