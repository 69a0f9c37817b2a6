/**
 * HTTP-level protections docs/SECURITY.md points to: session fixation, the sign-in rate limit, CSP
 * `frame-ancestors` for the Teams/Outlook/Office hosts (and no X-Frame-Options that would override
 * it), cookies' flags, and a stolen-cookie replay after sign-out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOST_FRAME_ANCESTORS } from "../../server/app";
import { SESSION_COOKIE } from "../../server/auth/cookies";
import { ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from "../helpers/server";

describe("HTTP protections", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      env: {
        JOBS_RUNNER: "off",
        MONITOR_INTERVAL_MINUTES: "0",
        LOG_LEVEL: "warn",
        EXTRA_FRAME_ANCESTORS: "https://harness.example",
      },
    });
  });
  afterAll(async () => s?.close());

  it("session fixation: a session id planted before sign-in is never promoted, and sign-in issues a new one", async () => {
    const planted = `${SESSION_COOKIE}=attacker-chosen-value-1234567890`;
    const victim = new ApiClient(s.url);
    victim.cookie = planted;
    const res = await victim.post("/auth/login", { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(res.status).toBe(200);
    const issued = res.headers.get("set-cookie") ?? "";
    expect(issued).toMatch(/HttpOnly/i);
    expect(issued).toMatch(/SameSite=Strict/i);
    expect(victim.cookie).not.toBe(planted);
    expect(victim.cookie.split("=")[1].length).toBeGreaterThanOrEqual(32);
    // The planted value opens nothing.
    const attacker = new ApiClient(s.url);
    attacker.cookie = planted;
    expect((await attacker.get("/auth/me")).status).toBe(401);
  });

  it("a session cookie replayed after sign-out is refused", async () => {
    const user = new ApiClient(s.url);
    await user.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const stolen = user.cookie;
    expect((await user.post("/auth/logout")).status).toBeLessThan(300);
    const thief = new ApiClient(s.url);
    thief.cookie = stolen;
    expect((await thief.get("/auth/me")).status).toBe(401);
  });

  it("CSP frame-ancestors lets the Teams, Outlook and Microsoft 365 hosts (and EXTRA_FRAME_ANCESTORS) frame the pages, no one else", async () => {
    for (const page of ["/", "/status"]) {
      const res = await fetch(`${s.url}${page}`);
      const csp = res.headers.get("content-security-policy") ?? "";
      const ancestors = /frame-ancestors ([^;]+)/.exec(csp)?.[1]?.split(/\s+/) ?? [];
      expect(ancestors).toEqual(expect.arrayContaining([...HOST_FRAME_ANCESTORS, "https://harness.example"]));
      expect(ancestors).not.toContain("*");
      expect(ancestors.some((a) => a.startsWith("http:"))).toBe(false);
      // X-Frame-Options would override frame-ancestors in old browsers and break the hosts.
      expect(res.headers.get("x-frame-options")).toBeNull();
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    }
  });

  it("sign-in attempts are limited: the 11th in 15 minutes from one address is a 429 rate_limited", async () => {
    const fresh = await startTestServer({
      env: { JOBS_RUNNER: "off", MONITOR_INTERVAL_MINUTES: "0", LOG_LEVEL: "warn" },
    });
    try {
      const statuses: number[] = [];
      // The fixture's own sign-in was the first.
      for (let i = 0; i < 10; i++) {
        statuses.push(
          (await fresh.anonymous.post("/auth/login", { email: ADMIN_EMAIL, password: "Wrong-Password-123" }))
            .status,
        );
      }
      expect(statuses.slice(0, 9)).toEqual(Array(9).fill(401));
      const limited = await fresh.anonymous.post("/auth/login", {
        email: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
      });
      expect(limited.status).toBe(429);
      expect(limited.body.error.id).toBe("rate_limited");
    } finally {
      await fresh.close();
    }
  });

  it("rate-limit keys come from the route, not the path as typed: /autodiscover/ counts with /autodiscover", async () => {
    // Bodies that fail validation: counted by the limit, and nothing leaves this machine.
    for (let i = 0; i < 20; i++) {
      expect((await s.admin.post(i % 2 ? "/autodiscover" : "/autodiscover/", {})).status).toBe(400);
    }
    const limited = await s.admin.post("/autodiscover/", {});
    expect(limited.status).toBe(429);
    expect(limited.body.error.id).toBe("rate_limited");
    // Re-cased, it is no route at all (and so no way around the limit).
    expect((await s.admin.post("/AUTODISCOVER", {})).status).toBe(404);
  });
});
