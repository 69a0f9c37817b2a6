import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { endpoints, type Endpoint } from "../contract/endpoints";
import { startIdentityFixture, type IdentityFixture } from "./helpers/identity";
import { announcePostgresSkip, type ApiClient, testDatabases } from "./helpers/server";
import { TEST_ACCOUNTS } from "./idp";

/**
 * Every route in contract/endpoints.ts × every role → the expected class of answer. Routes added later
 * are picked up automatically: list them in the contract with their `auth`.
 */
announcePostgresSkip();

const roles = ["anonymous", "end-user", "profile-admin", "platform-token", "local-admin"] as const;
type Role = (typeof roles)[number];
type Expected = "allowed" | 401 | 403;

const UNKNOWN_ID = "00000000-0000-4000-8000-00000000dead";

/** Who may call an endpoint of each `auth` level. */
function expected(endpoint: Endpoint, role: Role): Expected {
  const key = `${endpoint.method} ${endpoint.path}`;
  // The local admin's own password and sessions: Entra admins have neither.
  if ((key === "post /auth/password" || key === "delete /auth/sessions") && role === "platform-token") {
    return 403;
  }
  switch (endpoint.auth) {
    case "none":
      return "allowed";
    case "service-key":
      return 401; // no role here holds a service key
    case "user":
      return role === "anonymous" ? 401 : "allowed";
    case "admin":
      return role === "anonymous" ? 401 : role === "end-user" ? 403 : "allowed";
    case "platform":
      return role === "anonymous"
        ? 401
        : role === "platform-token" || role === "local-admin"
          ? "allowed"
          : 403;
  }
}

/** Does the endpoint name a profile (in its path or its query)? Then a profile admin of A is refused on B. */
function namesProfile(endpoint: Endpoint): "path" | "query" | undefined {
  if (endpoint.path.startsWith("/profiles/:id")) return "path";
  const shape = (endpoint.query as z.ZodObject | undefined)?.shape;
  return shape && "profileId" in shape ? "query" : undefined;
}

function urlFor(endpoint: Endpoint, f: IdentityFixture, profileId: string): string {
  const segments = endpoint.path.split("/");
  const path = segments
    .map((segment, i) => {
      if (!segment.startsWith(":")) return segment;
      if (segment === ":address") return encodeURIComponent(TEST_ACCOUNTS.activeUser.upn);
      const resource = segments[i - 1];
      if (resource === "profiles") return profileId;
      if (resource === "users") return f.userIds["active-user"];
      return UNKNOWN_ID;
    })
    .join("/");
  return namesProfile(endpoint) === "query" ? `${path}?profileId=${profileId}` : path;
}

/** Refused requests change nothing, so the destructive ones go last: deletes, then sign-out. */
const ordered = [...endpoints].sort((a, b) => rank(a) - rank(b));
function rank(e: Endpoint): number {
  if (e.path === "/auth/logout") return 2;
  return e.method === "delete" ? 1 : 0;
}

describe.each(testDatabases())("authorization matrix (%s)", (dialect) => {
  let f: IdentityFixture;
  const clients = {} as Record<Role, ApiClient>;
  beforeAll(async () => {
    f = await startIdentityFixture(dialect);
    clients.anonymous = f.server.anonymous;
    clients["end-user"] = await f.as(TEST_ACCOUNTS.activeUser);
    clients["profile-admin"] = await f.as(TEST_ACCOUNTS.profileAdmin);
    clients["platform-token"] = await f.as(TEST_ACCOUNTS.platformAdmin);
    clients["local-admin"] = f.server.admin;
    sessionCookie = f.server.admin.cookie;
  });
  afterAll(async () => {
    await f?.close();
  });

  let sessionCookie = "";
  const send = (client: ApiClient, endpoint: Endpoint, url: string) => {
    // The test client keeps the last Set-Cookie it saw (a route may set its own, e.g. an OAuth state): keep the admin's session.
    if (client === clients["local-admin"]) client.cookie = sessionCookie;
    return client.request(
      endpoint.method.toUpperCase(),
      url,
      endpoint.method === "get" || endpoint.method === "delete" ? undefined : {},
    );
  };

  const check = (status: number, want: Expected, label: string) => {
    if (want === "allowed") {
      expect(status, `${label}: must not be refused`).not.toBe(401);
      expect(status, `${label}: must not be refused`).not.toBe(403);
      expect(status, `${label}: must not fail`).toBeLessThan(500);
    } else {
      expect(status, label).toBe(want);
    }
  };

  // Role-major order: every refusal runs before the admins' requests change anything.
  for (const role of roles) {
    for (const endpoint of ordered) {
      const want = expected(endpoint, role);
      it(`${role} → ${endpoint.method.toUpperCase()} ${endpoint.path} (${endpoint.auth}) → ${want}`, async () => {
        const res = await send(clients[role], endpoint, urlFor(endpoint, f, f.profileA));
        check(
          res.status,
          want,
          `${role} ${endpoint.method} ${endpoint.path} answered ${res.status} ${res.text.slice(0, 200)}`,
        );
      });
      if (role === "profile-admin" && endpoint.auth === "admin" && namesProfile(endpoint)) {
        it(`profile-admin of A → ${endpoint.method.toUpperCase()} ${endpoint.path} on profile B → 403`, async () => {
          const res = await send(clients[role], endpoint, urlFor(endpoint, f, f.profileB));
          expect(res.status, res.text).toBe(403);
        });
      }
    }
    if (role === "end-user") {
      it("end user asking for someone else's status gets only their own (there is no route for another's)", async () => {
        const client = clients["end-user"];
        const own = await client.get(
          `/me/status?userId=${f.userIds["error-user"]}&upn=${encodeURIComponent(TEST_ACCOUNTS.errorUser.upn)}`,
        );
        expect(own.body.data).toMatchObject({
          enrolled: true,
          state: "active",
          address: TEST_ACCOUNTS.activeUser.upn.toUpperCase(),
        });
        expect((await client.get(`/users/${f.userIds["error-user"]}`)).status).toBe(403);
        expect((await client.get(`/me/status/${f.userIds["error-user"]}`)).status).toBe(404);
      });
    }
    if (role === "profile-admin") {
      it("profile admin lists only profile A and can't read a user of profile B", async () => {
        const list = await clients["profile-admin"].get("/profiles");
        expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([f.profileA]);
        expect([403, 404]).toContain(
          (await clients["profile-admin"].get(`/users/${f.userIds.otherProfileUser}`)).status,
        );
      });
    }
  }
});
