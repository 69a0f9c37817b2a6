import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unzip } from "../../manifest/test-support";
import { startTestServer, type TestServer } from "../../test/helpers/server";
import { createApp } from "../app";
import type { BearerVerifier } from "../auth/middleware";

// The route reads no table of its own (only the session behind the cookie), so SQLite alone covers it.
const APP_ID = randomUUID();
const CLIENT_ID = randomUUID();
const BASE_URL = "https://sync.contoso.com";
/** With ENTRA_CLIENT_ID set the server turns on Entra sign-in, which needs the allowed tenant too. */
const TENANT = { ENTRA_TENANT_ID: randomUUID() };

/** GET with the caller's cookie or bearer token, keeping the body as bytes (a zip isn't text). */
async function download(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/api/v1/app-package`, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe("GET /api/v1/app-package", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { BASE_URL, APP_ID, ENTRA_CLIENT_ID: CLIENT_ID, ...TENANT } });
  });
  afterAll(() => s.close());

  it("answers the validated zip to a platform admin", async () => {
    const res = await download(s.url, { cookie: s.admin.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="appPackage.zip"');
    expect(res.headers.get("cache-control")).toBe("no-store");
    const files = await unzip(res.body);
    expect([...files.keys()].sort()).toEqual(["color.png", "manifest.json", "outline.png"]);
    const manifest = JSON.parse(files.get("manifest.json")!.toString("utf8"));
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.webApplicationInfo).toEqual({
      id: CLIENT_ID,
      resource: `api://sync.contoso.com/${CLIENT_ID}`,
    });
    expect(manifest.staticTabs[0].contentUrl).toBe(`${BASE_URL}/status?host=tab`);
  });

  it("should require authentication", async () => {
    const res = await s.anonymous.get("/app-package");
    expect(res.status).toBe(401);
    expect(res.body.error.id).toBe("unauthorized");
  });

  it("refuses a signed-in user who is not a platform admin with 403", async () => {
    // The identity module supplies the bearer verifier; this one stands in for it with fixed principals.
    const bearer: BearerVerifier = (token) =>
      Promise.resolve(
        token === "platform"
          ? { kind: "entra", id: "oid-1", name: "it@contoso.com", platformAdmin: true }
          : { kind: "entra", id: "oid-2", name: "user@contoso.com", platformAdmin: false },
      );
    const server = http.createServer(createApp({ ...s.ctx, bearer }).listener);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const refused = await download(url, { authorization: "Bearer user" });
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body.toString("utf8")).error.id).toBe("forbidden");
      expect((await download(url, { authorization: "Bearer platform" })).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("serves the ribbon icons to anyone, loadable cross-origin by Outlook on the web", async () => {
    const res = await fetch(`${s.url}/icons/icon-80.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect((await fetch(`${s.url}/icons/nothing.png`)).status).toBe(404);
  });

  it("is listed in the OpenAPI document", async () => {
    const doc = await s.anonymous.get("/api/openapi.json");
    expect(doc.body.paths["/api/v1/app-package"].get.summary).toMatch(/app package/);
  });
});

describe("GET /api/v1/app-package on a server that can't build a valid package", () => {
  let s: TestServer | undefined;
  afterAll(() => s?.close());

  it("says which settings are missing", async () => {
    s = await startTestServer({ env: { BASE_URL } });
    const res = await s.admin.get("/app-package");
    expect(res.status).toBe(409);
    expect(res.body.error.id).toBe("app_package_not_configured");
    expect(res.body.error.details).toEqual([
      expect.stringMatching(/^APP_ID: not set/),
      expect.stringMatching(/^ENTRA_CLIENT_ID: not set/),
    ]);
    await s.close();
    s = undefined;
  });

  it("lists the problems instead of handing out an invalid package", async () => {
    s = await startTestServer({ env: { APP_ID, ENTRA_CLIENT_ID: CLIENT_ID, ...TENANT } }); // BASE_URL defaults to http://localhost
    const res = await s.admin.get("/app-package");
    expect(res.status).toBe(409);
    expect(res.body.error.id).toBe("app_package_invalid");
    expect(res.body.error.details[0]).toMatch(/^BASE_URL: "http:\/\/localhost:\d+" must be an https URL/);
    expect(res.body.error.details).toContain(
      "staticTabs[0].contentUrl: " +
        `http://localhost:${new URL(s.ctx.config.baseUrl).port}/status?host=tab must use https`,
    );
  });
});
