import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import { endpoints, type Endpoint } from "../contract/endpoints";
import { createApp } from "../server/app";
import { mountedRoutes } from "./helpers/routes";
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

  describe("routes as typed: re-cased and unknown paths reach no handler", () => {
    /** The last literal segment with a capital first letter: `/auth/login` → `/auth/Login`. */
    /** The endpoint's path with one literal segment capitalised (`which`: the first or the last). */
    function recased(endpoint: Endpoint, which: "first" | "last"): string {
      const segments = endpoint.path.split("/");
      const literal = segments.map((segment, i) => (/^[a-z]/.test(segment) ? i : -1)).filter((i) => i >= 0);
      const at = which === "first" ? literal[0] : literal[literal.length - 1];
      segments[at] = segments[at][0].toUpperCase() + segments[at].slice(1);
      return segments.join("/");
    }
    /** Does a path fit some other endpoint of the contract (`/users/Export.csv` is `/users/:id`)? */
    const fitsAnother = (method: string, path: string) =>
      endpoints.some(
        (e) =>
          e.method === method &&
          new RegExp(`^${e.path.replace(/:[a-z]+/gi, "[^/]+").replace(/\./g, "\\.")}$`).test(path),
      );

    it("every route mounted under /api is in contract/endpoints.ts, and every router matches case-sensitively", () => {
      const listed = new Set(endpoints.map((e) => `${e.method} /api/v1${e.path}`));
      const routes = mountedRoutes(createApp(f.server.ctx).app);
      const api = routes.filter((r) => r.path.startsWith("/api/"));
      expect(api.length).toBeGreaterThan(40);
      const missing = api
        .map((r) => `${r.method} ${r.path.length > 1 ? r.path.replace(/\/$/, "") : r.path}`)
        .filter((route) => route !== "get /api/openapi.json" && !listed.has(route));
      expect(missing, "mounted but not listed in contract/endpoints.ts").toEqual([]);
      expect(routes.filter((r) => !r.caseSensitive).map((r) => r.path)).toEqual([]);
      // The short paths (EWS gateway, /me/status) answer before the routers: the contract lists them too.
      expect(listed).toContain("post /api/v1/sync/mailboxes/:address/ews");
      expect(listed).toContain("get /api/v1/me/status");
    });

    for (const endpoint of ordered) {
      it(`${endpoint.method.toUpperCase()} ${endpoint.path} re-cased → 404 for every role`, async () => {
        const url = urlFor(endpoint, f, f.profileA);
        const variants = [`${f.server.url}/API/v1${url}`, `${f.server.url}/api/V1${url}`];
        for (const which of ["first", "last"] as const) {
          const path = recased(endpoint, which);
          if (fitsAnother(endpoint.method, path)) continue;
          variants.push(urlFor({ ...endpoint, path }, f, f.profileA));
        }
        expect(variants.length).toBeGreaterThan(2);
        for (const role of roles) {
          for (const variant of variants) {
            const res = await send(clients[role], endpoint, variant);
            expect(
              res.status,
              `${role} ${endpoint.method} ${variant} answered ${res.status} ${res.text.slice(0, 200)}`,
            ).toBe(404);
            expect(res.body?.error?.id).toBe("not_found");
          }
        }
      });
    }

    it("a path the contract doesn't list → 404 for every role, anonymous included, logged once", async () => {
      const path = `/no-such-route-${Date.now()}`;
      for (const role of roles) {
        for (const method of ["GET", "POST", "DELETE"]) {
          const res = await clients[role].request(method, path, method === "POST" ? {} : undefined);
          expect(res.status, `${role} ${method} ${path}: ${res.text}`).toBe(404);
          expect(res.body.error.id).toBe("not_found");
        }
      }
      const logged = f.server.logs.filter((line) => line.includes(`"GET ${path}"`));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain("not listed in contract/endpoints.ts");
    });

    it("the end user's re-cased POST /Autodiscover reaches neither the route nor the service", async () => {
      expect((await clients["end-user"].post("/Autodiscover", { email: "a@contoso.test" })).status).toBe(404);
      expect((await clients["end-user"].post("/AUTODISCOVER", { email: "a@contoso.test" })).status).toBe(404);
      const transport = f.server.ctx.services.ews.transport;
      const sent = vi.spyOn(transport, "request").mockRejectedValue(new Error("no network in this test"));
      try {
        const endUser = {
          kind: "entra" as const,
          id: "oid-end-user",
          name: TEST_ACCOUNTS.activeUser.upn,
          upn: TEST_ACCOUNTS.activeUser.upn,
          platformAdmin: false,
        };
        await expect(
          f.server.ctx.services.connectivity.autodiscover(endUser, { email: "a@contoso.test" }),
        ).rejects.toMatchObject({ status: 403 });
        expect(sent).not.toHaveBeenCalled();
      } finally {
        sent.mockRestore();
      }
    });
  });
});
