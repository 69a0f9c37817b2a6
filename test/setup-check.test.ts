import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../server/config";
import { runSetupCheck } from "../server/install/setup-check";
import { startTestIdentityProvider, TEST_TENANT_ID, type TestIdentityProvider } from "./idp";
import { startTestServer, type TestServer } from "./helpers/server";

const BASE_URL = "https://sync.contoso.test";
let idp: TestIdentityProvider;

beforeAll(async () => {
  idp = await startTestIdentityProvider();
});
afterAll(async () => {
  await idp?.close();
});

/** A configuration that passes every check against the test identity provider, with changes applied. */
function configWith(changes: Record<string, string | undefined> = {}) {
  const env: Record<string, string | undefined> = {
    ...idp.serverEnv(),
    BASE_URL,
    APP_ID: "6d1a7c3e-2b4f-4a5d-9e8c-7f6b5a4d3c2b",
    ENTRA_TENANT_ID: TEST_TENANT_ID,
    ENTRA_CLIENT_SECRET: "a-client-secret",
    ...changes,
  };
  return testConfig(
    Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
  );
}

describe("the setup check", () => {
  it("passes everything it can see against the test identity provider, and lists what to confirm in Entra", async () => {
    const items = await runSetupCheck({ config: configWith(), requestOrigin: BASE_URL });
    const byStatus = (status: string) => items.filter((i) => i.status === status).map((i) => i.id);
    expect(byStatus("failed")).toEqual([]);
    expect(byStatus("warning")).toEqual([]);
    expect(byStatus("passed")).toEqual([
      "base-url-https",
      "base-url-this-server",
      "app-id",
      "entra-client-id",
      "entra-tenants",
      "entra-app-id-uri",
      "connect-account",
      "authority-discovery",
      "authority-keys",
      "app-package",
      "token-audience",
    ]);
    expect(byStatus("confirm")).toEqual([
      "entra-spa-redirects",
      "entra-web-redirect",
      "entra-scope",
      "entra-optional-claims",
      "entra-app-role",
      "entra-consent",
    ]);
    const spa = items.find((i) => i.id === "entra-spa-redirects")!;
    expect(spa.detail).toContain("brk-multihub://sync.contoso.test");
    expect(spa.detail).toContain(`${BASE_URL}/redirect.html`);
    expect(items.find((i) => i.id === "authority-keys")!.detail).toMatch(/lists [1-9]\d* key\(s\)/);
  });

  it.each<[string, Record<string, string | undefined>, string | undefined, string, RegExp]>([
    [
      "an http BASE_URL",
      { BASE_URL: "http://sync.contoso.test" },
      "http://sync.contoso.test",
      "base-url-https",
      /https/,
    ],
    [
      "a BASE_URL that isn't where the admin is",
      {},
      "https://old-name.contoso.test",
      "base-url-this-server",
      /old-name/,
    ],
    ["no APP_ID", { APP_ID: undefined }, undefined, "app-id", /APP_ID is not set/],
    [
      "a client id that is not a GUID",
      { ENTRA_CLIENT_ID: "my-app" },
      undefined,
      "entra-client-id",
      /not a GUID/,
    ],
    [
      "no tenant allowed",
      { ENTRA_ALLOWED_TENANTS: undefined, ENTRA_TENANT_ID: undefined },
      undefined,
      "entra-tenants",
      /every token is refused/,
    ],
    [
      "an Application ID URI for another host",
      { ENTRA_APP_ID_URI: "api://elsewhere.contoso.test/5b1e6c2d-9a8f-4e7d-b6c5-a4f3e2d1c0b9" },
      undefined,
      "entra-app-id-uri",
      /must be api:\/\/sync\.contoso\.test\//,
    ],
    [
      "an authority nobody answers at",
      { ENTRA_AUTHORITY: "https://127.0.0.1:9" },
      undefined,
      "authority-discovery",
      /ECONNREFUSED/,
    ],
    [
      "an authority whose certificate isn't trusted (no ENTRA_CA_FILE)",
      { ENTRA_CA_FILE: undefined },
      undefined,
      "authority-discovery",
      /could not be read/,
    ],
  ])("names %s", async (_label, changes, origin, failedId, detail) => {
    const config = configWith(changes);
    const items = await runSetupCheck({ config, requestOrigin: origin ?? new URL(config.baseUrl).origin });
    const failed = items.find((i) => i.id === failedId);
    expect(failed?.status).toBe("failed");
    expect(failed?.detail).toMatch(detail);
    expect(failed?.fix).toBeTruthy();
  });

  it("warns, without failing, when Connect account has no client credential", async () => {
    const items = await runSetupCheck({
      config: configWith({ ENTRA_CLIENT_SECRET: undefined }),
      requestOrigin: BASE_URL,
    });
    expect(items.filter((i) => i.status === "failed")).toEqual([]);
    expect(items.find((i) => i.id === "connect-account")?.status).toBe("warning");
  });

  it("fails the package and the token audience when the package's resource isn't an accepted audience", async () => {
    const config = configWith();
    config.entra.appIdUri = `api://${randomUUID()}`; // a registration URI naming another client id
    const items = await runSetupCheck({ config, requestOrigin: BASE_URL });
    expect(items.find((i) => i.id === "app-package")?.status).toBe("failed");
    expect(items.find((i) => i.id === "entra-app-id-uri")?.status).toBe("failed");
  });
});

describe("GET /setup-check and /entra-app-registration", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { ...idp.serverEnv(), APP_ID: randomUUID() } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers platform admins with every item, BASE_URL's http named as failed", async () => {
    const res = await server.admin.get("/setup-check");
    expect(res.status).toBe(200);
    const items = res.body.data.items as Array<{ id: string; status: string; detail: string }>;
    expect(items.find((i) => i.id === "base-url-https")?.status).toBe("failed");
    // Test servers listen on 127.0.0.1:<random port> while BASE_URL keeps its default: named, as it should be.
    const origin = new URL(server.url).origin;
    const thisServer = items.find((i) => i.id === "base-url-this-server") as {
      status: string;
      detail: string;
    };
    expect(thisServer.status).toBe(
      origin === new URL(server.ctx.config.baseUrl).origin ? "passed" : "failed",
    );
    expect(thisServer.detail).toContain(origin);
    expect(items.find((i) => i.id === "authority-discovery")?.status).toBe("passed");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("gives the registration script with this server's values", async () => {
    const res = await server.admin.get("/entra-app-registration");
    expect(res.status).toBe(200);
    expect(res.body.data.values).toMatchObject({
      baseUrl: server.ctx.config.baseUrl,
      clientId: idp.serverEnv().ENTRA_CLIENT_ID,
      spaRedirectUris: [
        `brk-multihub://${new URL(server.ctx.config.baseUrl).host}`,
        `${server.ctx.config.baseUrl}/redirect.html`,
      ],
    });
    expect(res.body.data.powershell).toContain("New-MgApplication");
  });

  it("refuses anyone who isn't signed in", async () => {
    expect((await server.anonymous.get("/setup-check")).status).toBe(401);
    expect((await server.anonymous.get("/entra-app-registration")).status).toBe(401);
  });
});
