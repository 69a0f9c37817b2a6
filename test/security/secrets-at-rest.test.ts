/**
 * Secrets at rest and in logs. A whole flow (sign in, basic impersonation with a password, connectivity
 * test, check now, an activation job, a service key used on the roster and the EWS gateway) with the
 * log at debug; then every table's rows, the SQLite file and its WAL bytes, and every log line are
 * searched for the service account's password, the local admin's password, the service key and the
 * session token. Also `npm run rotate-secrets`: values re-sealed with a new key open without the old one.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../../server/ews-simulator";
import { mailboxAddresses } from "../../server/jobs/testing/factories";
import { Sealer } from "../../server/secrets/sealer";
import { mailboxAccessRow, rotateStoredSecrets } from "../factories/mailbox-access";
import { openStore } from "../factories/store";
import { profileWithUsers, waitForJob } from "../faults/helpers";
import { storeSnapshot } from "../fuzz/store-digest";
import {
  ADMIN_PASSWORD,
  ApiClient,
  announcePostgresSkip,
  freshSchema,
  startTestServer,
  testDatabases,
  type TestServer,
} from "../helpers/server";

announcePostgresSkip();

const KEY_1 = Buffer.alloc(32, 11).toString("base64");
const KEY_2 = Buffer.alloc(32, 22).toString("base64");

/** Every place a secret could show up as text: plain, and the forms a careless encoder would write. */
function forms(secret: string): string[] {
  return [
    secret,
    Buffer.from(secret).toString("base64"),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
  ];
}

function findSecrets(haystack: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets).flatMap(([name, secret]) =>
    forms(secret).some((f) => haystack.includes(f)) ? [name] : [],
  );
}

describe.each(testDatabases())("no plaintext secret in the store or the logs on %s", (dialect) => {
  let sim: ExchangeSimulator | undefined;
  let s: TestServer | undefined;
  let dir: string | undefined;
  let dropSchema: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await s?.close();
    await dropSchema?.();
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a whole flow leaves no password, service key or session token in any table, file or log line", async () => {
    const tenant = demoTenant({ users: 40, rooms: 1 });
    sim = await startExchangeSimulator({ tenant });
    dir = mkdtempSync(path.join(tmpdir(), "msa-secrets-"));
    s = await startTestServer({
      dialect,
      sqliteFile: dialect === "sqlite" ? path.join(dir, "store.db") : undefined,
      env: {
        SECRET_KEY: KEY_1,
        EWS_ALLOWED_HOSTS: "127.0.0.1",
        MONITOR_INTERVAL_MINUTES: "0",
        LOG_LEVEL: "trace",
      },
    });
    const addresses = mailboxAddresses(tenant, 20);
    const profileId = await profileWithUsers(s.admin, sim, addresses, "Secrets");
    const test = await s.admin.post(`/profiles/${profileId}/connectivity-tests`, {
      targetUser: addresses[0],
    });
    expect(test.status, test.text.slice(0, 300)).toBe(200);
    const users = (await s.admin.get(`/profiles/${profileId}/users`)).body.data as { id: string }[];
    expect(
      (await s.admin.post(`/profiles/${profileId}/checks`, { userIds: users.slice(0, 3).map((u) => u.id) }))
        .status,
    ).toBe(200);
    const job = await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" });
    await waitForJob(s.admin, job.body.data.id, (j) => j.state === "done", 60_000);
    const key = (
      await s.admin.post("/service-keys", {
        name: "sync",
        scopes: ["roster:read", "ews:proxy", "reports:write"],
      })
    ).body.data.key as string;
    const service = new ApiClient(s.url, { authorization: `Bearer ${key}` });
    expect((await service.get("/sync/mailboxes")).status).toBe(200);
    // A wrong password attempt and a wrong key are logged as refusals: their text must not be.
    await new ApiClient(s.url).post("/auth/login", {
      email: "admin@example.com",
      password: "Wrong-But-Secret-Guess-1",
    });
    await new ApiClient(s.url, { authorization: "Bearer msk_wrongButSecretKey123456" }).get(
      "/sync/mailboxes",
    );

    const secrets = {
      "service account password": DEMO.serviceAccount.password,
      "local admin password": ADMIN_PASSWORD,
      "wrong password guess": "Wrong-But-Secret-Guess-1",
      "service key": key,
      "wrong service key": "msk_wrongButSecretKey123456",
      "session token": decodeURIComponent(s.admin.cookie.split("=")[1]),
    };
    const rows = JSON.stringify(await storeSnapshot(s.ctx.store));
    expect(rows).toContain("ews-basic-impersonation"); // the scan reads real rows
    expect(findSecrets(rows, secrets)).toEqual([]);
    if (dialect === "sqlite") {
      const files = readdirSync(dir).filter((f) => f.startsWith("store.db"));
      expect(files).toContain("store.db");
      for (const file of files) {
        const bytes = readFileSync(path.join(dir, file));
        expect(findSecrets(bytes.toString("latin1"), secrets), file).toEqual([]);
        expect(findSecrets(bytes.toString("utf16le"), secrets), file).toEqual([]);
      }
    }
    const logs = s.logs.join("");
    // The log holds the whole run: the refused sign-in, the refused key and the job are there.
    for (const seen of ["/api/v1/auth/login", "/api/v1/sync/mailboxes", "/connectivity-tests", "/jobs"]) {
      expect(logs).toContain(seen);
    }
    expect(findSecrets(logs, secrets)).toEqual([]);
  }, 90_000);

  it("rotate-secrets re-seals with the new key, and the server then works without the old one", async () => {
    const tenant = demoTenant({ users: 20, rooms: 0 });
    sim = await startExchangeSimulator({ tenant });
    dir = mkdtempSync(path.join(tmpdir(), "msa-rotate-"));
    const file = path.join(dir, "store.db");
    const env = {
      EWS_ALLOWED_HOSTS: "127.0.0.1",
      MONITOR_INTERVAL_MINUTES: "0",
      JOBS_RUNNER: "off",
      LOG_LEVEL: "warn",
    };
    const fresh = dialect === "postgres" ? freshSchema() : undefined;
    dropSchema = fresh ? () => fresh.drop() : undefined;
    const schema = fresh?.schema;
    const storeOptions =
      dialect === "postgres"
        ? { databaseUrl: process.env.TEST_DATABASE_URL, pgSchema: schema }
        : { sqliteFile: file };
    const first = await startTestServer({
      dialect,
      sqliteFile: dialect === "sqlite" ? file : undefined,
      pgSchema: schema,
      keepSchema: true,
      env: { ...env, SECRET_KEY: KEY_1 },
    });
    const profileId = await profileWithUsers(first.admin, sim, mailboxAddresses(tenant, 5), "Rotate");
    await first.close();

    const store = await openStore(storeOptions);
    try {
      const before = await mailboxAccessRow(store, profileId);
      const result = await rotateStoredSecrets(store, new Sealer(KEY_2, [KEY_1]));
      expect(result).toMatchObject({ resealed: 1, unreadable: [] });
      const after = await mailboxAccessRow(store, profileId);
      expect(after.sealedSecret).not.toBe(before.sealedSecret);
      expect(new Sealer(KEY_2).isStale(after.sealedSecret!)).toBe(false);
      // Running it again changes nothing.
      expect(await rotateStoredSecrets(store, new Sealer(KEY_2, [KEY_1]))).toMatchObject({
        resealed: 0,
        current: 1,
      });
    } finally {
      await store.close();
    }

    // The new key alone: the stored password still opens, so checks work.
    s = await startTestServer({
      dialect,
      sqliteFile: dialect === "sqlite" ? file : undefined,
      pgSchema: schema,
      env: { ...env, SECRET_KEY: KEY_2 },
    });
    const users = (await s.admin.get(`/profiles/${profileId}/users`)).body.data as { id: string }[];
    const checked = await s.admin.post(`/profiles/${profileId}/checks`, { userIds: [users[0].id] });
    expect(checked.status, checked.text.slice(0, 300)).toBe(200);
    expect(checked.body.data[0]).toMatchObject({ ok: true, error: null });
  }, 60_000);
});
