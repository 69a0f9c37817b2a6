import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../test/factories/audit";
import {
  announcePostgresSkip,
  startTestServer,
  testDatabases,
  type TestServer,
} from "../../test/helpers/server";

announcePostgresSkip();

describe.each(testDatabases())("profiles API on %s", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ dialect });
  });
  afterAll(() => s.close());

  it("should require authentication", async () => {
    expect((await s.anonymous.get("/profiles")).status).toBe(401);
    expect((await s.anonymous.post("/profiles", { name: "x" })).status).toBe(401);
  });

  it("has a Default profile from first start", async () => {
    const res = await s.admin.get("/profiles");
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: { name: string }) => p.name)).toContain("Default");
    expect(res.body.data[0].counts).toEqual({
      "not-activated": 0,
      pending: 0,
      active: 0,
      error: 0,
      paused: 0,
    });
  });

  it("creates, reads, updates and deletes a profile, auditing each change", async () => {
    const created = await s.admin.post("/profiles", { name: "Sales EMEA", description: "Sales in Europe" });
    expect(created.status).toBe(201);
    const id = created.body.data.id as string;
    expect(created.body.data).toMatchObject({
      name: "Sales EMEA",
      syncEnabled: true,
      maxConcurrentConnections: 10,
      accessType: null,
    });

    const patched = await s.admin.patch(`/profiles/${id}`, {
      syncEnabled: false,
      maxConcurrentConnections: 5,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ syncEnabled: false, maxConcurrentConnections: 5 });

    expect((await s.admin.get(`/profiles/${id}`)).body.data.name).toBe("Sales EMEA");
    expect((await s.admin.delete(`/profiles/${id}`)).status).toBe(204);
    expect((await s.admin.get(`/profiles/${id}`)).status).toBe(404);

    const audit = await auditEvents(s.ctx, { profileId: id });
    expect(audit.map((a) => a.action)).toEqual(["profile.create", "profile.update", "profile.delete"]);
  });

  it("refuses a duplicate name (any case) with 409 and changes nothing", async () => {
    await s.admin.post("/profiles", { name: "Support" });
    const before = await s.admin.get("/profiles");
    const res = await s.admin.post("/profiles", { name: "SUPPORT" });
    expect(res.status).toBe(409);
    expect(res.body.error.id).toBe("conflict");
    expect((await s.admin.get("/profiles")).body.data).toHaveLength(before.body.data.length);
  });

  it.each([
    ["a missing name", {}],
    ["a wrong type", { name: 42 }],
    ["an unknown field", { name: "ok", colour: "red" }],
    ["a too long name", { name: "x".repeat(101) }],
  ])("answers 400 with a useful message for %s", async (_label, body) => {
    const res = await s.admin.post("/profiles", body);
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe("validation_failed");
    expect(res.body.error.message.length).toBeGreaterThan(5);
  });

  it("answers 400 for malformed JSON and 413 for an oversized body", async () => {
    const bad = await s.admin.request("POST", "/profiles", "{not json");
    expect(bad.status).toBe(400);
    expect(bad.body.error.id).toBe("malformed_json");
    const huge = await s.admin.post("/profiles", { name: "big", description: "x".repeat(3 * 1024 * 1024) });
    expect(huge.status).toBe(413);
  });

  it("refuses a cookie request from a foreign origin (CSRF)", async () => {
    const res = await s.admin.post("/profiles", { name: "Evil" }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.body.error.id).toBe("cross_origin_refused");
  });

  it("bounds maxConcurrentConnections to 1..27", async () => {
    const id = (await s.admin.post("/profiles", { name: "Bounds" })).body.data.id;
    expect((await s.admin.patch(`/profiles/${id}`, { maxConcurrentConnections: 28 })).status).toBe(400);
    expect((await s.admin.patch(`/profiles/${id}`, { maxConcurrentConnections: 0 })).status).toBe(400);
    expect((await s.admin.patch(`/profiles/${id}`, {})).status).toBe(400);
  });
});
