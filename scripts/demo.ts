/**
 * `npm run demo`: the server on SQLite in ./data-demo plus the Exchange simulator with its demo tenant
 * (contoso.com), a Default profile configured with basic impersonated logon against it and a few
 * hundred users added. Prints the URLs and the demo admin account. Ctrl+C stops both.
 */
import { loadConfig } from "../server/config";
import { DEMO, demoTenant, startExchangeSimulator } from "../server/ews-simulator";
import { startServer } from "../server/server";

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

async function main(): Promise<void> {
  const tenant = demoTenant({ users: 300, rooms: 10 });
  const sim = await startExchangeSimulator({
    tenant,
    port: Number(process.env.SIMULATOR_PORT ?? 0),
    latencyMs: Number(process.env.SIMULATOR_LATENCY_MS ?? 20),
  });
  const config = loadConfig(
    {
      ...process.env,
      DATA_DIR: process.env.DATA_DIR ?? "./data-demo",
      EWS_ALLOWED_HOSTS: [process.env.EWS_ALLOWED_HOSTS, "127.0.0.1"].filter(Boolean).join(","),
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
    },
    "",
  );
  const running = await startServer({ config });
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
  const steps = (await api("POST", `/profiles/${profile.id}/connectivity-tests`, {
    targetUser: "alex.vance@contoso.com",
    outOfScopeUser: DEMO.blockedUser,
  })) as { steps: { name: string; status: string }[] };

  // A fresh key each start, so the sync service example can run against the demo right away.
  const key = (await api("POST", "/service-keys", {
    name: `Demo sync service ${new Date().toISOString().slice(0, 16)}`,
    scopes: ["roster:read", "ews:read", "ews:write", "reports:write"],
  })) as { key: string };

  console.log("");
  console.log(`Mailbox Sync Admin (demo)   ${running.url}`);
  console.log(`  sign in as                 ${ADMIN_EMAIL} / ${ADMIN_PASSWORD}`);
  console.log(`  data                       ${config.dataDir} (SQLite)`);
  console.log(`Exchange simulator          ${sim.ewsUrl}`);
  console.log(`  autodiscover               ${sim.autodiscoverUrl}`);
  console.log(
    `  service account            ${DEMO.serviceAccount.logon} / ${DEMO.serviceAccount.password} (impersonates contoso.com except ${DEMO.blockedUser})`,
  );
  console.log(
    `  try also                   ${DEMO.alias} (alias), ${DEMO.noMailboxAddress} (no mailbox), ${DEMO.movingUser} (move in progress)`,
  );
  console.log(`Connectivity test           ${steps.steps.map((s) => `${s.name}: ${s.status}`).join(" · ")}`);
  console.log(`Sync service key            ${key.key}`);
  console.log(`  try it                     activate the Default profile in the panel, then`);
  console.log(`                             npm run sync:example -- --url ${running.url} --key ${key.key}`);
  console.log("Ctrl+C stops the demo.");

  const stop = () => {
    void running
      .close()
      .then(() => sim.close())
      .then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
