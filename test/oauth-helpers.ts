import http from "node:http";
import https from "node:https";
import { createServer, type AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import {
  startTestIdentityProvider,
  TEST_SERVER_CLIENT_ID,
  TEST_SERVER_CLIENT_SECRET,
  TEST_TENANT_ID,
  TEST_ACCOUNTS,
  type TestAccount,
  type TestIdentityProvider,
} from "./idp";

/** The simulator's service account (it holds ApplicationImpersonation), as the provider signs it in. */
export const SERVICE_ACCOUNT: TestAccount = {
  key: "svc-sync",
  oid: "00000000-0000-4000-8000-0000000000a1",
  tid: TEST_TENANT_ID,
  upn: "svc-sync@contoso.com",
  name: "Sync Service",
  acct: 0,
};
/**
 * An account whose ID tokens carry no `upn` but whose `preferred_username` is the service account's:
 * Connect account must refuse it (no fallback to preferred_username).
 */
export const NO_UPN_ACCOUNT: TestAccount = {
  key: "svc-no-upn",
  oid: "00000000-0000-4000-8000-0000000000a2",
  tid: TEST_TENANT_ID,
  upn: "svc-no-upn@contoso.com",
  preferredUsername: SERVICE_ACCOUNT.upn,
  omitUpn: true,
  name: "No UPN",
  acct: 0,
};
/** The EWS resource for the simulator's URL (http://127.0.0.1:<port>/EWS/Exchange.asmx). */
export const SIMULATOR_RESOURCE = "https://127.0.0.1";

/** The provider, a JWKS mirror over http (the simulator fetches keys without a custom CA) and the simulator trusting the provider for EWS only. */
export interface OAuthStack {
  idp: TestIdentityProvider;
  sim: ExchangeSimulator;
  close(): Promise<void>;
}

/**
 * Starts the test identity provider (service account signed in at once, short-lived access tokens) and
 * the Exchange simulator accepting its tokens for the EWS audience only.
 * @example const { idp, sim } = await startOAuthStack({ accessTokenTtl: 10 });
 */
export async function startOAuthStack(options: { accessTokenTtl: number }): Promise<OAuthStack> {
  const idp = await startTestIdentityProvider({
    accessTokenTtl: options.accessTokenTtl,
    accounts: [...Object.values(TEST_ACCOUNTS), SERVICE_ACCOUNT, NO_UPN_ACCOUNT],
    defaultAccount: SERVICE_ACCOUNT.key,
  });
  const keys = await getText(`${idp.issuer}/jwks`, idp.caFile);
  const mirror = http.createServer((_req, res) =>
    res.writeHead(200, { "content-type": "application/json" }).end(keys),
  );
  await new Promise<void>((r) => mirror.listen(0, "127.0.0.1", r));
  const jwksUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/jwks`;
  const tenant = demoTenant({ users: 30 });
  const sim = await startExchangeSimulator({
    tenant: {
      ...tenant,
      oauth: { issuers: [{ issuer: idp.issuer, jwksUrl, audiences: [SIMULATOR_RESOURCE] }], apps: [] },
    },
  });
  return {
    idp,
    sim,
    close: async () => {
      await sim.close();
      mirror.close();
      await idp.close();
    },
  };
}

/** A free TCP port on 127.0.0.1 (the server's BASE_URL, hence its redirect URI, must be known before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** The server's environment for Connect account against the provider, and the client registration to match. */
export async function serverEnvFor(idp: TestIdentityProvider, port: number): Promise<Record<string, string>> {
  // 127.0.0.1, not localhost: the browser tests only let pages reach 127.0.0.1.
  const baseUrl = `http://127.0.0.1:${port}`;
  await idp.upsertClient({
    client_id: TEST_SERVER_CLIENT_ID,
    client_secret: TEST_SERVER_CLIENT_SECRET,
    token_endpoint_auth_method: "client_secret_post",
    redirect_uris: [`${baseUrl}/api/v1/oauth/callback`],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  });
  return {
    PORT: String(port),
    BASE_URL: baseUrl,
    ENTRA_AUTHORITY: idp.issuer,
    ENTRA_CA_FILE: idp.caFile,
    ENTRA_CLIENT_ID: TEST_SERVER_CLIENT_ID,
    ENTRA_CLIENT_SECRET: TEST_SERVER_CLIENT_SECRET,
    ENTRA_TENANT_ID: TEST_TENANT_ID,
    EWS_ALLOWED_HOSTS: "127.0.0.1",
  };
}

export interface Hop {
  url: string;
  status: number;
  location?: string;
  body: string;
}

/**
 * A tiny browser: follows redirects across the server (http) and the provider (https, its CA trusted),
 * with a cookie jar per host, as a popup would. Stops before a URL when `stopBefore` says so.
 */
export class PopupBrowser {
  private readonly jars = new Map<string, Map<string, string>>();
  private readonly agent: https.Agent;
  readonly hops: Hop[] = [];

  constructor(caFile: string) {
    this.agent = new https.Agent({ ca: [...rootCertificates, readFileSync(caFile, "utf8")] });
  }

  jar(host: string): Map<string, string> {
    let jar = this.jars.get(host);
    if (!jar) this.jars.set(host, (jar = new Map()));
    return jar;
  }

  /** One GET with this browser's cookies; records the hop. */
  async get(url: string, extraCookies: Record<string, string> = {}): Promise<Hop> {
    const target = new URL(url);
    // Cookies are scoped by host name, not port, as browsers do.
    const jar = this.jar(target.hostname);
    const cookie = [...jar, ...Object.entries(extraCookies)].map(([k, v]) => `${k}=${v}`).join("; ");
    const hop = await new Promise<Hop>((resolve, reject) => {
      const mod = target.protocol === "https:" ? https : http;
      const req = mod.request(
        target,
        {
          method: "GET",
          headers: cookie ? { cookie } : {},
          ...(target.protocol === "https:" ? { agent: this.agent } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            for (const line of res.headers["set-cookie"] ?? []) {
              const [pair, ...attrs] = line.split(";");
              const eq = pair.indexOf("=");
              const name = pair.slice(0, eq).trim();
              const value = pair.slice(eq + 1).trim();
              if (
                attrs.some(
                  (a) => /max-age=0$/i.test(a.trim()) || /expires=thu, 01 jan 1970/i.test(a.trim()),
                ) ||
                value === ""
              ) {
                jar.delete(name);
              } else jar.set(name, value);
            }
            const location = res.headers.location ? new URL(res.headers.location, url).toString() : undefined;
            resolve({
              url,
              status: res.statusCode ?? 0,
              location,
              body: Buffer.concat(chunks).toString("utf8"),
            });
          });
        },
      );
      req.on("error", reject);
      req.end();
    });
    this.hops.push(hop);
    return hop;
  }

  /**
   * Opens a Connect account link as a person would: its first page (which names who asked and whom they
   * expect), then its Continue link, following redirects from there.
   */
  async openConnectLink(url: string, stopBefore?: (next: string) => boolean): Promise<Hop> {
    const first = await this.get(url);
    const href = /id="continue" href="([^"]+)"/.exec(first.body)?.[1];
    if (first.status !== 200 || !href) return first;
    return this.follow(new URL(href.replace(/&amp;/g, "&"), url).toString(), stopBefore);
  }

  /** Follows redirects from `url`; answers the last hop (or the hop whose Location `stopBefore` matched). */
  async follow(url: string, stopBefore?: (next: string) => boolean): Promise<Hop> {
    let hop = await this.get(url);
    for (let i = 0; i < 15 && hop.location && hop.status >= 300 && hop.status < 400; i++) {
      if (stopBefore?.(hop.location)) return hop;
      hop = await this.get(hop.location);
    }
    return hop;
  }

  close(): void {
    this.agent.destroy();
  }
}

function getText(url: string, caFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: [...rootCertificates, readFileSync(caFile, "utf8")] }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      })
      .on("error", reject);
  });
}
