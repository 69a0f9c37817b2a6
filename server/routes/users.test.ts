import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../auth/principal";
import { auditEvents } from "../../test/factories/audit";
import { checkHistory, insertCheckHistory } from "../../test/factories/checks";
import { setProfileAdmins } from "../../test/factories/profiles";
import { countUsers, setUserState, userWords } from "../../test/factories/users";
import {
  ADMIN_PASSWORD,
  announcePostgresSkip,
  startTestServer,
  testDatabases,
  type TestServer,
} from "../../test/helpers/server";

announcePostgresSkip();

describe.each(testDatabases())("users API on %s", (dialect) => {
  let s: TestServer;
  let profileId: string;
  let otherProfileId: string;

  const userCount = () => countUsers(s.ctx);
  const idsOf = async (pid: string) =>
    (await s.admin.get(`/profiles/${pid}/users?limit=500`)).body.data as { id: string; address: string }[];

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    profileId = (await s.admin.post("/profiles", { name: "Users A" })).body.data.id;
    otherProfileId = (await s.admin.post("/profiles", { name: "Users B" })).body.data.id;
  });
  afterAll(() => s.close());

  it("should require authentication", async () => {
    const calls = [
      s.anonymous.get(`/profiles/${profileId}/users`),
      s.anonymous.post(`/profiles/${profileId}/users`, { text: "a@contoso.com" }),
      s.anonymous.get("/users/export.csv"),
      s.anonymous.get("/users/x"),
      s.anonymous.post("/users/move", { userIds: ["x"], profileId }),
      s.anonymous.post("/users/remove", { userIds: ["x"] }),
      s.anonymous.post("/users/pause", { userIds: ["x"] }),
      s.anonymous.post("/users/resume", { userIds: ["x"] }),
    ];
    for (const res of await Promise.all(calls)) expect(res.status).toBe(401);
  });

  it("adds pasted CSV with a header, semicolons, quotes, a BOM and blank lines, line by line", async () => {
    const text =
      '\uFEFFaddress;displayName\r\n"Ana.Lima@Contoso.com";"Lima; Ana"\r\n\r\nbob@contoso.com;Bob Stone\r\nnot-an-address;Nobody\r\nBOB@contoso.com;Bob again\r\n"broken@contoso.com;x\r\n';
    const res = await s.admin.post(`/profiles/${profileId}/users`, { text });
    expect(res.status).toBe(200);
    expect(res.body.data.added).toBe(2);
    expect(res.body.data.duplicates).toEqual([{ line: 6, address: "BOB@contoso.com" }]);
    expect(res.body.data.invalid.map((i: { line: number }) => i.line)).toEqual([5, 7]);
    expect(res.body.data.invalid[0].reason).toMatch(/not an e-mail address/);
    const users = await idsOf(profileId);
    expect(users.map((u) => u.address)).toEqual(["Ana.Lima@Contoso.com", "bob@contoso.com"]);
    const ana = (await s.admin.get(`/users/${users[0].id}`)).body.data;
    expect(ana).toMatchObject({
      displayName: "Lima; Ana",
      state: "not-activated",
      profileId,
      mailboxKind: null,
      lastError: null,
      checkHistory: [],
    });
    expect(Object.keys(ana).sort()).toEqual(
      [
        "address",
        "checkHistory",
        "createdAt",
        "displayName",
        "id",
        "lastCheckedAt",
        "lastError",
        "lastSyncAt",
        "profileId",
        "stalled",
        "state",
        "syncErrors",
        "syncSessions",
        "updatedAt",
        "mailboxKind",
      ].sort(),
    );
    const audit = await auditEvents(s.ctx, { action: "users.import", profileId });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].after!)).toEqual({ added: 2, duplicates: 1, invalid: 2 });
  });

  it("takes plain lines and Outlook's Name <address>, and treats an address in another profile (any case) as a duplicate", async () => {
    const res = await s.admin.post(`/profiles/${otherProfileId}/users`, {
      text: "carol@contoso.com\nDan Ray <dan@contoso.com>\nANA.LIMA@CONTOSO.COM",
    });
    expect(res.body.data).toEqual({
      added: 2,
      duplicates: [{ line: 3, address: "ANA.LIMA@CONTOSO.COM" }],
      invalid: [],
    });
    const dan = (await idsOf(otherProfileId)).find((u) => u.address === "dan@contoso.com");
    expect((await s.admin.get(`/users/${dan!.id}`)).body.data.displayName).toBe("Dan Ray");
  });

  it("refuses 10,001 lines with a clear message and adds nothing", async () => {
    const before = await userCount();
    const text = Array.from({ length: 10_001 }, (_, i) => `bulk${i}@fabrikam.com`).join("\n");
    const res = await s.admin.post(`/profiles/${profileId}/users`, { text });
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe("too_many_lines");
    expect(res.body.error.message).toMatch(/10,001 lines.*at most 10,000/);
    expect(await userCount()).toBe(before);
  });

  it("answers 4xx with a useful message for bad bodies and changes nothing", async () => {
    const before = await userCount();
    const cases: [unknown, number, string][] = [
      [{}, 400, "validation_failed"],
      [{ text: 42 }, 400, "validation_failed"],
      [{ text: "a@contoso.com", extra: 1 }, 400, "validation_failed"],
      ["{not json", 400, "malformed_json"],
      [{ text: "x".repeat(2 * 1024 * 1024 + 10) }, 413, "payload_too_large"],
    ];
    for (const [body, status, id] of cases) {
      const res = await s.admin.request(
        "POST",
        `/profiles/${profileId}/users`,
        typeof body === "string" ? body : JSON.stringify(body),
      );
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(status);
      expect(res.body.error.id).toBe(id);
      expect(res.body.error.message.length).toBeGreaterThan(5);
    }
    expect((await s.admin.post("/profiles/nope/users", { text: "z@contoso.com" })).status).toBe(404);
    expect(await userCount()).toBe(before);
  });

  it("lists by lower-cased address in byte order with keyset pages, state filter and prefix search", async () => {
    const pid = (await s.admin.post("/profiles", { name: "Paging" })).body.data.id;
    const text = [
      "zed@x.com,Zoë Ångström",
      "Amy.B@x.com,Amy Brown",
      "amy-c@x.com,Amy Clark",
      "1st@x.com,First One",
      "bea@x.com,Beatrice O'Neil",
      "émile@x.com,Émile Zola",
    ].join("\n");
    expect((await s.admin.post(`/profiles/${pid}/users`, { text })).body.data.added).toBe(6);
    const expected = ["1st@x.com", "Amy.B@x.com", "amy-c@x.com", "bea@x.com", "zed@x.com", "émile@x.com"];
    // byte order: "amy-" (0x2d) before "amy." (0x2e) once lower-cased
    const byteOrder = [...expected].sort((a, b) =>
      Buffer.compare(Buffer.from(a.toLowerCase()), Buffer.from(b.toLowerCase())),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: { address: string }[]; nextCursor: string | null } } = await s.admin.get(
        `/profiles/${pid}/users?limit=4${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...res.body.data.map((u) => u.address));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(byteOrder);

    const search = async (q: string) =>
      (
        (await s.admin.get(`/profiles/${pid}/users?q=${encodeURIComponent(q)}`)).body.data as {
          address: string;
        }[]
      ).map((u) => u.address);
    expect(await search("AMY")).toEqual(["amy-c@x.com", "Amy.B@x.com"]);
    expect(await search("clar")).toEqual(["amy-c@x.com"]);
    expect(await search("ångs")).toEqual(["zed@x.com"]);
    expect(await search("neil")).toEqual(["bea@x.com"]);
    expect(await search("émile")).toEqual(["émile@x.com"]);
    expect(await search("nobody")).toEqual([]);

    const amy = (await idsOf(pid)).filter((u) => u.address.toLowerCase().startsWith("amy"));
    await s.admin.post("/users/pause", { userIds: amy.map((u) => u.id) });
    const paused = (await s.admin.get(`/profiles/${pid}/users?state=paused`)).body;
    expect(paused.data.map((u: { address: string }) => u.address)).toEqual(["amy-c@x.com", "Amy.B@x.com"]);
    expect(paused.nextCursor).toBeNull();

    for (const q of ["limit=501", "limit=0", "limit=abc", "state=asleep", "cursor=***"]) {
      const res = await s.admin.get(`/profiles/${pid}/users?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.message).toMatch(/limit|state|cursor/);
    }
  });

  it("pauses and resumes to the state before, and audits each", async () => {
    const pid = (await s.admin.post("/profiles", { name: "Pause" })).body.data.id;
    await s.admin.post(`/profiles/${pid}/users`, { text: "p1@x.com\np2@x.com" });
    const [u1, u2] = await idsOf(pid);
    await setUserState(s.ctx, u1.id, { state: "active" });
    expect((await s.admin.post("/users/pause", { userIds: [u1.id, u2.id] })).body.data).toEqual({ count: 2 });
    expect((await s.admin.post("/users/pause", { userIds: [u1.id] })).body.data).toEqual({ count: 0 });
    expect((await s.admin.get(`/users/${u1.id}`)).body.data.state).toBe("paused");
    expect((await s.admin.post("/users/resume", { userIds: [u1.id, u2.id] })).body.data).toEqual({
      count: 2,
    });
    expect((await s.admin.get(`/users/${u1.id}`)).body.data.state).toBe("active");
    expect((await s.admin.get(`/users/${u2.id}`)).body.data.state).toBe("not-activated");
    const actions = (await auditEvents(s.ctx, { profileId: pid })).map((a) => a.action);
    expect(actions).toEqual(["profile.create", "users.import", "users.pause", "users.resume"]);
  });

  it("refuses a bulk action with one unknown id, a pending user, or bad input, changing nothing", async () => {
    const pid = (await s.admin.post("/profiles", { name: "Refusals" })).body.data.id;
    await s.admin.post(`/profiles/${pid}/users`, { text: "r1@x.com\nr2@x.com" });
    const [r1, r2] = await idsOf(pid);
    const unknown = await s.admin.post("/users/pause", { userIds: [r1.id, "no-such-user"] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.details.userIds).toEqual(["no-such-user"]);
    await setUserState(s.ctx, r2.id, { state: "pending", stateBefore: "not-activated" });
    const pending = await s.admin.post("/users/remove", { userIds: [r1.id, r2.id] });
    expect(pending.status).toBe(409);
    expect(pending.body.error.details.userIds).toEqual([r2.id]);
    expect((await s.admin.post("/users/move", { userIds: [r1.id], profileId: "nope" })).status).toBe(404);
    for (const body of [
      {},
      { userIds: [] },
      { userIds: "x" },
      { userIds: [1] },
      { userIds: Array.from({ length: 10_001 }, (_, i) => `id${i}`) },
    ]) {
      const res = await s.admin.post("/users/remove", body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/userIds/);
    }
    expect((await s.admin.post("/users/move", { userIds: [r1.id] })).status).toBe(400);
    expect((await idsOf(pid)).length).toBe(2);
    expect((await s.admin.get(`/users/${r1.id}`)).body.data.state).toBe("not-activated");
  });

  it("moves users with their search words, and removes users with their history", async () => {
    const from = (await s.admin.post("/profiles", { name: "From" })).body.data.id;
    const to = (await s.admin.post("/profiles", { name: "To" })).body.data.id;
    await s.admin.post(`/profiles/${from}/users`, { text: "m1@x.com,Mover Quinn\nm2@x.com,Stayer" });
    const [m1] = await idsOf(from);
    await setUserState(s.ctx, m1.id, { state: "active" });
    expect((await s.admin.post("/users/move", { userIds: [m1.id], profileId: to })).body.data).toEqual({
      count: 1,
    });
    const moved = (await s.admin.get(`/profiles/${to}/users?q=quinn`)).body.data;
    expect(moved.map((u: { address: string; state: string }) => [u.address, u.state])).toEqual([
      ["m1@x.com", "not-activated"],
    ]);
    expect((await s.admin.get(`/profiles/${from}/users?q=quinn`)).body.data).toEqual([]);

    await insertCheckHistory(s.ctx, [
      {
        userId: m1.id,
        checkedAt: "2026-11-01T00:00:00.000Z",
        ok: 0,
        code: "mailbox_not_found",
        message: "No mailbox",
        ms: 12,
        jobId: null,
      },
      {
        userId: m1.id,
        checkedAt: "2026-11-02T00:00:00.000Z",
        ok: 1,
        code: null,
        message: null,
        ms: 9,
        jobId: null,
      },
    ]);
    const detail = (await s.admin.get(`/users/${m1.id}`)).body.data;
    expect(detail.checkHistory.map((c: { ok: boolean }) => c.ok)).toEqual([true, false]);

    expect((await s.admin.post("/users/remove", { userIds: [m1.id] })).body.data).toEqual({ count: 1 });
    expect((await s.admin.get(`/users/${m1.id}`)).status).toBe(404);
    const words = await userWords(s.ctx, { userId: m1.id });
    const history = await checkHistory(s.ctx, { userId: m1.id });
    expect([words.length, history.length]).toEqual([0, 0]);
  });

  it("exports CSV with a header, last errors and formula-looking cells defused", async () => {
    const pid = (await s.admin.post("/profiles", { name: "Export" })).body.data.id;
    await s.admin.post(`/profiles/${pid}/users`, {
      text: 'e1@x.com,"=HYPERLINK(""http://evil"")"\ne2@x.com,"Doe, Jane"',
    });
    const [e1] = await idsOf(pid);
    await setUserState(s.ctx, e1.id, {
      state: "error",
      lastCheckedAt: "2026-11-03T00:00:00.000Z",
      lastError: JSON.stringify({ code: "auth_failed", message: "-1 credentials", remediation: "Fix it" }),
    });
    const res = await s.admin.get(`/users/export.csv?profileId=${pid}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.text.split("\r\n")).toEqual([
      "address,displayName,state,mailboxKind,lastCheckedAt,lastErrorCode,lastErrorMessage",
      `e1@x.com,"'=HYPERLINK(""http://evil"")",error,,2026-11-03T00:00:00.000Z,auth_failed,'-1 credentials`,
      'e2@x.com,"Doe, Jane",not-activated,,,,',
      "",
    ]);
    expect((await s.admin.get("/users/export.csv?profileId=nope")).status).toBe(404);
  });

  it("refuses to delete a profile while it has active users", async () => {
    const pid = (await s.admin.post("/profiles", { name: "Busy" })).body.data.id;
    await s.admin.post(`/profiles/${pid}/users`, { text: "busy@x.com" });
    const [u] = await idsOf(pid);
    await setUserState(s.ctx, u.id, { state: "active" });
    const res = await s.admin.delete(`/profiles/${pid}`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/1 active user/);
    await s.admin.post("/users/pause", { userIds: [u.id] });
    expect((await s.admin.delete(`/profiles/${pid}`)).status).toBe(204);
  });

  it("lets a profile admin act only on their own profiles' users", async () => {
    const users = s.ctx.services.users;
    const pa: Principal = {
      kind: "entra",
      id: "oid-1",
      name: "pa@contoso.com",
      upn: "pa@contoso.com",
      platformAdmin: false,
    };
    await setProfileAdmins(s.ctx, profileId, ["PA@contoso.com"]);
    const mine = await idsOf(profileId);
    const theirs = await idsOf(otherProfileId);
    await expect(users.pause(pa, [mine[0].id, theirs[0].id])).rejects.toMatchObject({ status: 403 });
    await expect(users.list(pa, otherProfileId, { limit: 10 })).rejects.toMatchObject({ status: 403 });
    await expect(users.move(pa, [mine[0].id], otherProfileId)).rejects.toMatchObject({ status: 403 });
    expect((await s.admin.get(`/users/${mine[0].id}`)).body.data.state).toBe("not-activated");
    expect((await users.pause(pa, [mine[0].id])).count).toBe(1);
    const exported: string[] = [];
    for await (const rows of users.exportRows(pa)) exported.push(...rows.map((r) => r.profileId));
    expect(new Set(exported)).toEqual(new Set([profileId]));
  });

  it("describes every users endpoint in the OpenAPI document", async () => {
    const doc = (await s.anonymous.get("/api/openapi.json")).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths["/api/v1/profiles/{id}/users"]).sort()).toEqual(["get", "post"]);
    for (const path of ["/users/move", "/users/remove", "/users/pause", "/users/resume"]) {
      expect(doc.paths[`/api/v1${path}`]).toHaveProperty("post");
    }
    for (const path of ["/users/{id}", "/users/export.csv", "/settings", "/audit-events"]) {
      expect(doc.paths[`/api/v1${path}`]).toHaveProperty("get");
    }
  });

  it("never shows a secret in a response or the log", async () => {
    const res = await s.admin.get(`/profiles/${profileId}/users`);
    expect(res.text).not.toContain(ADMIN_PASSWORD);
    expect(s.logs.join("")).not.toContain(ADMIN_PASSWORD);
    expect(s.logs.join("")).not.toContain(s.admin.cookie.split("=")[1]);
  });
});
