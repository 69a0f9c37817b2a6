import { execFileSync } from "node:child_process";
import http from "node:http";
import https from "node:https";
import { mkdtempSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import { startTestIdentityProvider, TEST_TENANT_ID, type TestIdentityProvider } from "./idp";

/** Apps registered at the provider and known to the simulator. */
export const APPS = {
  /** Scoped by RBAC for Applications (tenant scope: contoso.com except OUT_OF_SCOPE), secret, empty roles. */
  scopedSecret: { clientId: "a0000000-0000-4000-8000-00000000000a", secret: "scoped-app-secret-0123456789" },
  /** Same scope, certificate (private_key_jwt); its tokens carry only Place.Read.All (rooms, no mail). */
  scopedCertificate: { clientId: "b0000000-0000-4000-8000-00000000000b" },
  /** Tenant-wide consent: full_access_as_app and Mail.ReadWrite in the token, no scope in Exchange. */
  tenantWide: { clientId: "c0000000-0000-4000-8000-00000000000c", secret: "tenant-wide-secret-0123456789" },
};

/** Users outside the scoped apps' management scope. */
export const OUT_OF_SCOPE = ["blocked.user@contoso.com", "megan.vance@contoso.com"];
export const IN_SCOPE = [
  "adele.vance@contoso.com",
  "alex.vance@contoso.com",
  "jane.doe@contoso.com",
  "room-101@contoso.com",
];

/** A certificate with its private key (PEM) for the app, and its lifetime in days. */
export function appCertificate(days = 365): { pem: string; certificatePem: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "app-cert-"));
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-sha256",
      "-days",
      String(days),
      "-subj",
      "/CN=Mailbox Sync Admin app",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  const certificatePem = readFileSync(certFile, "utf8");
  return { pem: `${certificatePem}${readFileSync(keyFile, "utf8")}`, certificatePem };
}

export interface AppOnlyStack {
  idp: TestIdentityProvider;
  sim: ExchangeSimulator;
  certificate: { pem: string; certificatePem: string };
  /** The server's environment: authority, its CA, Graph at the simulator, loopback EWS allowed. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The test identity provider with the three apps, and the Exchange simulator (EWS and Graph) trusting
 * its tokens for the audience `https://127.0.0.1` (the simulator's host, as the types derive it).
 * @example const stack = await startAppOnlyStack(); // PUT ews-app-only with stack.sim.ewsUrl
 */
export async function startAppOnlyStack(options: { certificateDays?: number } = {}): Promise<AppOnlyStack> {
  const idp = await startTestIdentityProvider();
  const certificate = appCertificate(options.certificateDays ?? 365);
  await idp.registerAppOnlyClient({
    clientId: APPS.scopedSecret.clientId,
    secret: APPS.scopedSecret.secret,
    roles: [],
  });
  await idp.registerAppOnlyClient({
    clientId: APPS.scopedCertificate.clientId,
    certificatePem: certificate.certificatePem,
    roles: ["Place.Read.All"],
  });
  await idp.registerAppOnlyClient({
    clientId: APPS.tenantWide.clientId,
    secret: APPS.tenantWide.secret,
    roles: ["full_access_as_app", "Mail.ReadWrite", "Place.Read.All"],
  });
  // The simulator fetches keys without a custom CA: mirror the JWKS over http.
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
  const scope = { domains: ["contoso.com"], except: OUT_OF_SCOPE };
  const tenant = demoTenant({ users: 30 });
  const sim = await startExchangeSimulator({
    tenant: {
      ...tenant,
      oauth: {
        issuers: [{ issuer: idp.issuer, jwksUrl, audiences: ["https://127.0.0.1"] }],
        apps: [
          { appId: APPS.scopedSecret.clientId, scope },
          { appId: APPS.scopedCertificate.clientId, scope },
        ],
      },
    },
  });
  return {
    idp,
    sim,
    certificate,
    env: {
      ENTRA_AUTHORITY: idp.issuer,
      ENTRA_CA_FILE: idp.caFile,
      GRAPH_BASE_URL: sim.graph.baseUrl,
      EWS_ALLOWED_HOSTS: "127.0.0.1",
    },
    close: async () => {
      await sim.close();
      mirror.close();
      await idp.close();
    },
  };
}

export { TEST_TENANT_ID };
