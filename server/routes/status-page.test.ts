import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePanelBuilt } from "../../test/e2e/helpers/panel";
import { startTestServer, type TestServer } from "../../test/helpers/server";

describe("status page, privacy and terms", () => {
  let server: TestServer;
  beforeAll(async () => {
    ensurePanelBuilt();
    server = await startTestServer();
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it("serves the status view's own page at /status (not the panel's), with Office.js allowed by the CSP", async () => {
    for (const url of ["/status", "/status?host=outlook", "/status?host=tab"]) {
      const res = await fetch(`${server.url}${url}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain("<title>Mailbox sync status</title>");
      expect(html).toMatch(/<script type="module"[^>]+\/assets\/status-[\w-]+\.js/);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toMatch(/script-src [^;]*https:\/\/appsforoffice\.microsoft\.com/);
      expect(csp).toMatch(/frame-ancestors [^;]*https:\/\/outlook\.office\.com/);
    }
    const panel = await (await fetch(`${server.url}/`)).text();
    expect(panel).not.toContain("Mailbox sync status");
  });

  it("serves the privacy and terms pages the app package links to", async () => {
    for (const [url, title] of [
      ["/privacy", "Privacy"],
      ["/terms", "Terms of use"],
    ] as const) {
      const res = await fetch(`${server.url}${url}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(await res.text()).toContain(`<h1>${title}</h1>`);
    }
  });
});
