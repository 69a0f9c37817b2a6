import { execFile, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2eEnabled, launchBrowser, screenshot } from "./helpers/browser";
import { ensurePanelBuilt } from "./helpers/panel";
import { freePort } from "../helpers/tls";
import { waitUntil } from "../helpers/wait";

const run = promisify(execFile);

/** `npm run demo` as a person runs it, then the end user's sign-in and status view in Chromium. */
describe.skipIf(!e2eEnabled())("npm run demo: every kind of user", () => {
  let demo: ChildProcess;
  let output = "";
  let dataDir: string;
  let browser: Browser;
  const printed = (re: RegExp) => re.exec(output)?.[1] ?? "";

  beforeAll(async () => {
    ensurePanelBuilt();
    dataDir = mkdtempSync(path.join(tmpdir(), "demo-e2e-"));
    // The demo serves https with the certificate in DATA_DIR/tls (made when missing): give it the one
    // the test workers already trust (global setup), so this test's own calls can reach it.
    mkdirSync(path.join(dataDir, "tls"));
    copyFileSync(process.env.TEST_TLS_CERT_FILE!, path.join(dataDir, "tls/cert.pem"));
    copyFileSync(process.env.TEST_TLS_KEY_FILE!, path.join(dataDir, "tls/key.pem"));
    // Vitest sets BASE_URL ("/", Vite's base); the demo takes its own from PORT.
    const { BASE_URL: _viteBase, ...env } = process.env;
    demo = spawn(process.execPath, ["--import", "tsx", path.resolve("scripts/demo.ts")], {
      env: {
        ...env,
        NODE_ENV: "production",
        PORT: String(await freePort()),
        DEMO_IDP_PORT: String(await freePort()),
        DATA_DIR: dataDir,
        SIMULATOR_LATENCY_MS: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own group: the demo runs itself again to trust its certificate, and both must stop.
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      // eslint-disable-next-line no-restricted-globals -- a guard that fails a demo that never starts, not a wait
      const timer = setTimeout(() => reject(new Error(`demo did not start:\n${output}`)), 150_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString("utf8");
        if (output.includes("Ctrl+C stops the demo.")) {
          clearTimeout(timer);
          resolve();
        }
      };
      demo.stdout!.on("data", onData);
      demo.stderr!.on("data", onData);
      demo.once("exit", (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
    });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) {
      const exited = new Promise((resolve) => demo.once("exit", resolve));
      process.kill(-demo.pid!, "SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints the local admin, a platform admin, a profile admin, an end user with /status, and the sync command", () => {
    const panel = printed(/Mailbox Sync Admin \(demo\)\s+(\S+)/);
    expect(panel).toMatch(/^https:\/\/localhost:\d+$/);
    expect(output).toMatch(/local admin\s+admin@contoso\.com \/ \S+/);
    expect(output).toContain("platform admin             pat.platform@contoso.com");
    expect(output).toContain("profile admin              priya.profile@contoso.com");
    expect(output).toContain(`end user                   jane.doe@contoso.com  ${panel}/status`);
    expect(output).toMatch(
      /open https:\/\/127\.0\.0\.1:\d+ once in your browser and accept its local certificate/,
    );
    expect(output).toMatch(/npm run sync:example -- --url \S+ --key msk_\S+/);
    // A person reads the banner and warnings, not JSON access lines.
    expect(output).not.toMatch(/^\{"level"/m);
  });

  it("after activation and a sync, the end user signs in with Microsoft and sees 'last synced'", async () => {
    const panel = printed(/Mailbox Sync Admin \(demo\)\s+(\S+)/);
    const key = printed(/Sync service key\s+(msk_\S+)/);
    const login = await fetch(`${panel}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: panel },
      body: JSON.stringify({ email: "admin@contoso.com", password: "Demo-Admin-Pass-1!" }),
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    const api = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(`${panel}/api/v1${url}`, {
        method,
        headers: { cookie, origin: panel, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return ((await res.json()) as { data: unknown }).data;
    };
    const profiles = (await api("GET", "/profiles")) as { id: string; name: string }[];
    const profile = profiles.find((p) => p.name === "Default")!;
    const admins = (await api("GET", `/profiles/${profile.id}/admins`)) as { userPrincipalNames: string[] };
    expect(admins.userPrincipalNames).toContain("priya.profile@contoso.com");
    const job = (await api("POST", `/profiles/${profile.id}/jobs`, { kind: "activate-profile" })) as {
      id: string;
    };
    // The demo is another process: poll its job.
    await waitUntil(
      async () => ((await api("GET", `/jobs/${job.id}`)) as { state: string }).state === "done",
      {
        timeoutMs: 120_000,
        everyMs: 200,
        what: "the demo's activation",
      },
    );
    const { stdout } = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        path.resolve("scripts/sync-service-example.ts"),
        "--url",
        panel,
        "--key",
        key,
        "--mailbox",
        "jane.doe@contoso.com",
        "--state",
        path.join(dataDir, "sync-state.json"),
      ],
      { timeout: 60_000 },
    );
    expect(stdout).toContain("jane.doe@contoso.com: inbox 3 new or changed");

    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 420, height: 760 },
    });
    await context.route(
      (url) => !["127.0.0.1", "localhost"].includes(url.hostname),
      (route) => route.abort("blockedbyclient"),
    );
    const page = await context.newPage();
    await page.goto(`${panel}/status`);
    const popupPromise = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Sign in" }).click();
    const popup = await popupPromise;
    await popup.getByRole("link", { name: "Jane Doe (end user)" }).click();
    await popup.waitForEvent("close", { timeout: 20_000 });
    await page.getByRole("heading", { level: 1, name: "Active" }).waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId("last-synced").textContent()).not.toBe("Not yet");
    await screenshot(page, "demo-end-user-status");
    await context.close();
  });
});
