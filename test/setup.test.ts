import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testConfig } from "../server/config";
import { startServer, type RunningServer } from "../server/server";
import { createLogger } from "../server/logger";
import { ApiClient } from "./helpers/server";

const PASSWORD = "First-Admin-Pass-1";

/** A server with no ADMIN_EMAIL/ADMIN_PASSWORD and no admin yet: it prints a one-time setup URL. */
async function freshServer(): Promise<{ server: RunningServer; token: string; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "msa-setup-"));
  const config = testConfig({
    PORT: "0",
    DATA_DIR: dataDir,
    SECRET_KEY: Buffer.alloc(32, 5).toString("base64"),
    LOG_LEVEL: "silent",
  });
  const server = await startServer({
    config,
    log: createLogger("silent"),
    store: { sqliteFile: ":memory:" },
  });
  expect(server.setupUrl).toMatch(/\/setup\?token=/);
  return { server, token: new URL(server.setupUrl!).searchParams.get("token")!, dataDir };
}

describe("first-admin setup (one-time URL)", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  it("creates the first admin once, signs them in, and refuses the link afterwards", async () => {
    const { server, token, dataDir } = await freshServer();
    cleanup.push(async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const client = new ApiClient(server.url);
    expect((await client.get("/auth/me")).status).toBe(401);

    const wrong = await client.post("/setup", {
      token: "not-the-token",
      email: "first@contoso.com",
      password: PASSWORD,
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.id).toBe("invalid_setup_token");

    const weak = await client.post("/setup", { token, email: "first@contoso.com", password: "short" });
    expect(weak.status).toBe(400);

    const created = await client.post("/setup", { token, email: "first@contoso.com", password: PASSWORD });
    expect(created.status).toBe(201);
    const me = await client.get("/auth/me");
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ kind: "local", platformAdmin: true });

    const again = await new ApiClient(server.url).post("/setup", {
      token,
      email: "second@contoso.com",
      password: PASSWORD,
    });
    expect(again.status).toBe(403);
    const other = new ApiClient(server.url);
    expect(await other.signIn("second@contoso.com", PASSWORD).catch(() => "refused")).toBe("refused");
  });

  it("limits guesses at the token: the 11th attempt in 15 minutes answers 429", async () => {
    const { server, dataDir } = await freshServer();
    cleanup.push(async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const client = new ApiClient(server.url);
    for (let i = 0; i < 10; i++) {
      expect(
        (await client.post("/setup", { token: `guess-${i}`, email: "first@contoso.com", password: PASSWORD }))
          .status,
      ).toBe(403);
    }
    const limited = await client.post("/setup", {
      token: "guess-10",
      email: "first@contoso.com",
      password: PASSWORD,
    });
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toMatch(/Too many attempts/);
  });
});
