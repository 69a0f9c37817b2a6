/**
 * `npm run demo`: the server on SQLite in ./data-demo plus the Exchange simulator with its demo tenant
 * (contoso.com), a Default profile configured with basic impersonated logon against it and a few
 * hundred users added, and the test identity provider standing in for Entra ID (so "Sign in with
 * Microsoft" and the end users' status view work). Prints the URLs and the demo accounts. Ctrl+C stops all.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { loadConfig } from "../server/config";
import { DEMO, demoTenant, startExchangeSimulator } from "../server/ews-simulator";
import { createLogger } from "../server/logger";
import { startServer } from "../server/server";
import {
  createSelfSignedCertificate,
  DEMO_ACCOUNTS,
  startTestIdentityProvider,
  type SelfSignedCertificate,
} from "../test/idp";

const ADMIN_EMAIL = process.env.ADMIN_EMAIL ?? "admin@contoso.com";
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? "Demo-Admin-Pass-1!";

/** A minimal API client with the admin's cookie session (the same path the panel takes). */
async function signIn(baseUrl: string) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  if (login.status !== 200) {
    throw new Error(
      `Demo sign-in failed (${login.status}): ${await login.text()}. Delete ./data-demo if it was created with another admin password.`,
    );
  }
  const cookie = login.headers.get("set-cookie")!.split(";")[0];
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { cookie, origin: baseUrl, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json().catch(() => undefined)) as
      { data?: unknown; error?: { message: string } } | undefined;
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${json?.error?.message ?? ""}`);
    return json?.data;
  };
}

/**
 * The identity provider's certificate, kept in DATA_DIR so a browser that accepted it once keeps
 * accepting it across demo restarts (renewed before its 30 days run out).
 */
function demoCertificate(dataDir: string): SelfSignedCertificate {
  const dir = path.join(dataDir, "idp-tls");
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  const fresh = existsSync(certFile) && Date.now() - statSync(certFile).mtimeMs < 25 * 86_400_000;
  if (fresh && existsSync(keyFile)) {
    return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"), certFile, keyFile };
  }
  mkdirSync(dir, { recursive: true });
  return createSelfSignedCertificate(dir);
}

/** Log lines a person reads: `[warn] message` instead of pino's JSON (the demo logs warnings and errors). */
function readableLog(): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) {
        try {
          const entry = JSON.parse(line) as { level: number; msg?: string; err?: { message?: string } };
          const level = entry.level >= 50 ? "error" : entry.level >= 40 ? "warn" : "info";
          console.error(`[${level}] ${entry.msg ?? ""}${entry.err?.message ? `: ${entry.err.message}` : ""}`);
        } catch {
          console.error(line);
        }
      }
      done();
    },
  });
}

async function main(): Promise<void> {
  const dataDir = process.env.DATA_DIR ?? "./data-demo";
  const idp = await startTestIdentityProvider({
    port: Number(process.env.DEMO_IDP_PORT ?? 3443),
    accounts: Object.values(DEMO_ACCOUNTS),
    certificate: demoCertificate(dataDir),
    chooseAccount: true,
  });
  const tenant = demoTenant({ users: 300, rooms: 10 });
  const sim = await startExchangeSimulator({
    tenant,
    port: Number(process.env.SIMULATOR_PORT ?? 0),
    latencyMs: Number(process.env.SIMULATOR_LATENCY_MS ?? 20),
  });
  const config = loadConfig(
    {
      ...idp.serverEnv(),
      LOG_LEVEL: "warn",
      ...process.env,
      DATA_DIR: dataDir,
      EWS_ALLOWED_HOSTS: [process.env.EWS_ALLOWED_HOSTS, "127.0.0.1"].filter(Boolean).join(","),
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
    },
    "",
  );
  const running = await startServer({ config, log: createLogger(config.logLevel, readableLog()) });
  // The panel's redirect page is known only now that the server listens.
  await idp.registerPanel(running.url);
  const api = await signIn(running.url);

  const profiles = (await api("GET", "/profiles")) as {
    id: string;
    name: string;
    counts: Record<string, number>;
  }[];
  const profile = profiles.find((p) => p.name === "Default") ?? profiles[0];
  await api("PUT", `/profiles/${profile.id}/mailbox-access`, {
    type: "ews-basic-impersonation",
    accountLogon: DEMO.serviceAccount.logon,
    password: DEMO.serviceAccount.password,
    ewsUrl: sim.ewsUrl,
  });
  const total = Object.values(profile.counts ?? {}).reduce((a, b) => a + b, 0);
  if (total === 0) {
    const addresses = tenant
      .mailboxes!.map((m) => m.primarySmtpAddress)
      .filter((a) => a !== DEMO.serviceAccount.logon);
    const lines = [
      "address,displayName",
      ...tenant
        .mailboxes!.filter((m) => addresses.includes(m.primarySmtpAddress))
        .map((m) => `${m.primarySmtpAddress},${m.displayName}`),
      `${DEMO.alias},Alias of Jane`,
      `${DEMO.noMailboxAddress},No Mailbox`,
    ];
    const added = (await api("POST", `/profiles/${profile.id}/users`, { text: lines.join("\n") })) as {
      added: number;
    };
    console.log(`Added ${added.added} users to the ${profile.name} profile.`);
  }
  await api("PUT", `/profiles/${profile.id}/admins`, {
    userPrincipalNames: [DEMO_ACCOUNTS.profileAdmin.upn],
  });
  const steps = (await api("POST", `/profiles/${profile.id}/connectivity-tests`, {
    targetUser: "alex.vance@contoso.com",
    outOfScopeUser: DEMO.blockedUser,
  })) as { steps: { name: string; status: string }[] };

  // A fresh key each start, so the sync service example can run against the demo right away.
  const key = (await api("POST", "/service-keys", {
    name: `Demo sync service ${new Date().toISOString().slice(0, 16)}`,
    scopes: ["roster:read", "ews:read", "ews:write", "reports:write"],
  })) as { key: string };

  const mail = `npm run demo:mail -- --simulator ${sim.url} --to ${DEMO.user.address}`;
  const lines = [
    "",
    `Mailbox Sync Admin (demo)   ${running.url}`,
    `  local admin                ${ADMIN_EMAIL} / ${ADMIN_PASSWORD}`,
    `  data                       ${config.dataDir} (SQLite)`,
    `Identity provider (Entra)   ${idp.issuer}`,
    `  first: open ${idp.issuer} once in your browser and accept its local certificate`,
    `  (self-signed, kept in ${path.join(config.dataDir, "idp-tls")}), or Microsoft sign-in popups fail.`,
    `  platform admin             ${DEMO_ACCOUNTS.platformAdmin.upn}  ("Sign in with Microsoft", pick Pat)`,
    `  profile admin              ${DEMO_ACCOUNTS.profileAdmin.upn}  (admin of the ${profile.name} profile only)`,
    `  end user                   ${DEMO_ACCOUNTS.endUser.upn}  ${running.url}/status  (Sign in, pick Jane)`,
    `Exchange simulator          ${sim.ewsUrl}`,
    `  autodiscover               ${sim.autodiscoverUrl}`,
    `  service account            ${DEMO.serviceAccount.logon} / ${DEMO.serviceAccount.password} (impersonates contoso.com except ${DEMO.blockedUser})`,
    `  try also                   ${DEMO.alias} (alias), ${DEMO.noMailboxAddress} (no mailbox), ${DEMO.movingUser} (move in progress)`,
    `Connectivity test           ${steps.steps.map((s) => `${s.name}: ${s.status}`).join(" · ")}`,
    `Sync service key            ${key.key}`,
    `  1. activate sync for the ${profile.name} profile in the panel (Connectivity tab), then sync:`,
    `     npm run sync:example -- --url ${running.url} --key ${key.key} --mailbox ${DEMO.user.address}`,
    `  2. new mail arrives:  ${mail}`,
    `  3. sync again: only the new mail is read; "last synced" moves in the panel and in Jane's status view.`,
    "Ctrl+C stops the demo.",
  ];
  console.log(lines.join("\n"));

  const stop = () => {
    void running
      .close()
      .then(() => sim.close())
      .then(() => idp.close())
      .then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
