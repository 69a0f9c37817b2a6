/**
 * The demo's Microsoft Graph half: a local identity provider that issues app-only tokens to a demo app,
 * the simulator's tenant trusting them (the app's RBAC scope: contoso.com except the blocked user), a
 * local certificate so the server runs on https (the Graph SDK sends its token only over https), and a
 * second profile on Graph app-only whose users the demo activates.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { DEMO, type TenantInput } from "../server/ews-simulator";
import { createSelfSignedCertificate, TEST_TENANT_ID, type TestIdentityProvider } from "../test/idp";

/** The demo's Entra app for Graph app-only (registered at the local identity provider). */
export const DEMO_GRAPH_APP = {
  clientId: "d0000000-0000-4000-8000-00000000000d",
  secret: "demo-graph-app-secret-0123456789",
};
export const GRAPH_PROFILE_NAME = "Microsoft 365 (Graph)";

/** The server's https certificate in `<dataDir>/tls`, made once; `certFile` is the CA clients trust. */
export function demoTls(dataDir: string): { certFile: string; keyFile: string } {
  const dir = path.resolve(dataDir, "tls");
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true });
    createSelfSignedCertificate(dir);
  }
  return { certFile, keyFile };
}

/**
 * Node reads extra CAs at start only: runs this script again with the demo's CA trusted (the demo
 * calls its own https server), unless that is already so. Returns only in the process that trusts it.
 */
export function trustOrRestart(certFile: string): void {
  if (process.env.NODE_EXTRA_CA_CERTS === certFile) return;
  const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile },
  });
  process.exit(again.status ?? 1);
}

/** Registers the demo app at the identity provider; answers the tenant settings that make the simulator trust it. */
export async function registerGraphApp(idp: TestIdentityProvider): Promise<{
  oauth: NonNullable<TenantInput["oauth"]>;
  close(): Promise<void>;
}> {
  await idp.registerAppOnlyClient({
    clientId: DEMO_GRAPH_APP.clientId,
    secret: DEMO_GRAPH_APP.secret,
    roles: [],
  });
  // The simulator reads the signing keys without a custom CA: serve them over http on loopback.
  const keys = await new Promise<string>((resolve, reject) => {
    https
      .get(`${idp.issuer}/jwks`, { ca: readFileSync(idp.caFile, "utf8") }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve(body));
      })
      .on("error", reject);
  });
  const mirror = http.createServer((_req, res) =>
    res.writeHead(200, { "content-type": "application/json" }).end(keys),
  );
  await new Promise<void>((r) => mirror.listen(0, "127.0.0.1", r));
  const jwksUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/jwks`;
  return {
    oauth: {
      issuers: [{ issuer: idp.issuer, jwksUrl, audiences: ["https://127.0.0.1"] }],
      apps: [
        { appId: DEMO_GRAPH_APP.clientId, scope: { domains: [DEMO.domain], except: [DEMO.blockedUser] } },
      ],
    },
    close: () => new Promise<void>((resolve) => mirror.close(() => resolve())),
  };
}

type Api = (method: string, path: string, body?: unknown) => Promise<unknown>;

/**
 * The second profile: Graph app-only with the demo app, some users, activation started (the sync
 * example then syncs them through the Graph gateway). Idempotent across demo restarts.
 */
export async function setUpGraphProfile(
  api: Api,
  addresses: string[],
): Promise<{ id: string; users: number }> {
  const profiles = (await api("GET", "/profiles")) as {
    id: string;
    name: string;
    counts: Record<string, number>;
  }[];
  const existing = profiles.find((p) => p.name === GRAPH_PROFILE_NAME);
  const id =
    existing?.id ?? ((await api("POST", "/profiles", { name: GRAPH_PROFILE_NAME })) as { id: string }).id;
  await api("PUT", `/profiles/${id}/mailbox-access`, {
    type: "graph-app-only",
    tenantId: TEST_TENANT_ID,
    clientId: DEMO_GRAPH_APP.clientId,
    clientSecret: DEMO_GRAPH_APP.secret,
  });
  const total = Object.values(existing?.counts ?? {}).reduce((a, b) => a + b, 0);
  if (total === 0) {
    await api("POST", `/profiles/${id}/users`, { text: addresses.join("\n") });
    await api("POST", `/profiles/${id}/jobs`, { kind: "activate-profile" });
  }
  return { id, users: total || addresses.length };
}
