import { createHash, createPublicKey } from "node:crypto";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { interactionPolicy } from "oidc-provider";
import {
  entraClaims,
  findTestAccount,
  TEST_ACCOUNTS,
  TEST_API_CLIENT_ID,
  TEST_PANEL_CLIENT_ID,
  TEST_SERVER_CLIENT_ID,
  TEST_SERVER_CLIENT_SECRET,
  type TestAccount,
} from "./accounts";
import { createSelfSignedCertificate, type SelfSignedCertificate } from "./certificate";
import { entraErrorBody } from "./entra-errors";
import fixedJwks from "./jwks.json" with { type: "json" };
import { MemoryAdapter, revokeGrant, type AdapterStore } from "./memory-adapter";
import { issueToken, type IssueTokenOptions } from "./tokens";

const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);
/** The resource used when a client (MSAL) sends no `resource` parameter. */
export const DEFAULT_RESOURCE = "api://mailbox-sync-admin";

/** Client metadata as oidc-provider takes it (snake_case, RFC 7591). */
export type ClientMetadata = Record<string, unknown> & { client_id: string };

export interface TestIdentityProviderOptions {
  port?: number;
  accounts?: TestAccount[];
  /** Extra or replacing clients; by default a public PKCE panel client and a confidential server client. */
  clients?: ClientMetadata[];
  /** Redirect URIs of the panel client (its origins are allowed for CORS). */
  panelRedirectUris?: string[];
  /** Redirect URIs of the server's confidential client. */
  serverRedirectUris?: string[];
  /** Access token lifetime in seconds (short in refresh tests). Default 3600. */
  accessTokenTtl?: number;
  /** Audience of access tokens for the app's own API. Default the test client id. */
  apiAudience?: string;
  /** Account signed in when the request names none. Default the platform admin. */
  defaultAccount?: string;
  /**
   * When the request names no account: show a page listing the accounts to pick from (a person trying the
   * demo) instead of signing the default account in at once (tests).
   */
  chooseAccount?: boolean;
  certificate?: SelfSignedCertificate;
  /** Signing keys (private JWKs with `kid`); default the fixed test key. The first one signs. */
  jwks?: { keys: Record<string, unknown>[] };
  /** Tenants served under `/<tenant>/...` besides the accounts' (GUIDs or domains → tenant id); others get AADSTS90002. */
  tenantDomains?: Record<string, string>;
}

/** A confidential app that gets app-only tokens by client credentials (RBAC for Applications tests). */
export interface AppOnlyClient {
  clientId: string;
  /** client_secret_post with this secret ... */
  secret?: string;
  /** ... or private_key_jwt with this certificate's public key (PEM). */
  certificatePem?: string;
  /** The token's `roles` claim: empty for the RBAC-scoped setup, `full_access_as_app` / `Mail.ReadWrite` for tenant-wide consent. */
  roles: string[];
  /** The service principal's object id (`oid` of its tokens); derived from the client id by default. */
  servicePrincipalId?: string;
}

export interface TestIdentityProvider {
  /** `https://127.0.0.1:<port>`: the issuer and ENTRA_AUTHORITY. */
  issuer: string;
  port: number;
  /** PEM file of the self-signed certificate: ENTRA_CA_FILE. */
  caFile: string;
  certificate: SelfSignedCertificate;
  accounts: TestAccount[];
  /** Successful token responses by grant type, and failures. */
  counters: { grants: Record<string, number>; errors: Record<string, number> };
  /** Registers (or replaces) an app for client credentials with the roles its tokens carry. */
  registerAppOnlyClient(app: AppOnlyClient): Promise<void>;
  /** Adds or replaces a client (e.g. once a test server's port is known). */
  upsertClient(metadata: ClientMetadata): Promise<void>;
  /** Points the panel's public client at a running panel (`<url>/redirect.html`, localhost and 127.0.0.1 alike). */
  registerPanel(panelUrl: string): Promise<void>;
  /** Revokes every grant (and its tokens) of an account, or of everyone; returns how many. */
  revokeGrants(account?: TestAccount): number;
  /** Signs a token with the provider's key; issuer and audience default to this provider's. */
  issueToken(account: TestAccount, options?: Partial<IssueTokenOptions>): Promise<string>;
  /** The environment a server needs to trust this provider (by configuration only). */
  serverEnv(): Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts a local OpenID provider over https on 127.0.0.1 that issues Entra-shaped tokens.
 * @example const idp = await startTestIdentityProvider(); // ENTRA_AUTHORITY=idp.issuer, ENTRA_CA_FILE=idp.caFile
 */
export async function startTestIdentityProvider(
  options: TestIdentityProviderOptions = {},
): Promise<TestIdentityProvider> {
  const accounts = options.accounts ?? Object.values(TEST_ACCOUNTS);
  const certificate = options.certificate ?? createSelfSignedCertificate();
  const apiAudience = options.apiAudience ?? TEST_API_CLIENT_ID;
  const accessTokenTtl = options.accessTokenTtl ?? 3600;
  const counters = { grants: {} as Record<string, number>, errors: {} as Record<string, number> };
  const store: AdapterStore = new Map();
  const appClients = new Map<string, AppOnlyClient>();
  const tenants = new Map<string, string>([
    ...accounts.map((a): [string, string] => [a.tid, a.tid]),
    ["contoso.onmicrosoft.com", TEST_ACCOUNTS.platformAdmin.tid],
    ...Object.entries(options.tenantDomains ?? {}),
  ]);

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = https.createServer({ cert: certificate.cert, key: certificate.key }, (req, res) =>
    handler(req, res),
  );
  server.on("secureConnection", (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `https://127.0.0.1:${port}`;

  const accountById = (id: string) => accounts.find((a) => a.oid === id);
  const policy = interactionPolicy.base();
  // Entra's Connect account flow asks for `prompt=select_account`; here it is one more login prompt.
  policy.add(new interactionPolicy.Prompt({ name: "select_account", requestable: true }), 0);

  const provider = new Provider(issuer, {
    adapter: (model: string) => new MemoryAdapter(model, store),
    jwks: options.jwks ?? fixedJwks,
    cookies: { keys: ["test-idp-cookie-key-not-secret"] },
    scopes: [...OIDC_SCOPES],
    claims: {
      openid: ["sub", "tid", "oid", "upn", "acct", "roles"],
      profile: ["name", "preferred_username"],
      email: ["email"],
    },
    conformIdTokenClaims: false,
    findAccount(_ctx: unknown, id: string) {
      const account = accountById(id);
      return Promise.resolve(
        account ? { accountId: id, claims: () => Promise.resolve(entraClaims(account)) } : undefined,
      );
    },
    interactions: {
      policy,
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => DEFAULT_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo(ctx: ScopeContext) {
          // The API accepts what was asked for: at the token endpoint that is the code's or refresh token's scope.
          const { params, entities } = ctx.oidc;
          const asked =
            params?.scope ?? entities?.AuthorizationCode?.scope ?? entities?.RefreshToken?.scope ?? "";
          const requested = String(asked)
            .split(" ")
            .filter((s) => s && !OIDC_SCOPES.has(s));
          return {
            scope: [...new Set(["access_as_user", ...requested])].join(" "),
            audience: audienceFor(requested, apiAudience),
            accessTokenTTL: accessTokenTtl,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
    clientBasedCORS(_ctx: unknown, origin: string, client: { redirectUris?: string[] }) {
      return (client.redirectUris ?? []).some((uri) => safeOrigin(uri) === origin);
    },
    async loadExistingGrant(ctx: GrantContext) {
      // Consent is never asked: every sign-in gets a grant for exactly what was requested.
      const { client, session, params } = ctx.oidc;
      const requested = String(params.scope ?? "openid")
        .split(" ")
        .filter(Boolean);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(requested.filter((s) => OIDC_SCOPES.has(s)).join(" "));
      grant.addResourceScope(
        params.resource ?? DEFAULT_RESOURCE,
        [...new Set(["access_as_user", ...requested.filter((s) => !OIDC_SCOPES.has(s))])].join(" "),
      );
      await grant.save();
      return grant;
    },
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) =>
      client.grantTypeAllowed("refresh_token"),
    extraTokenClaims(
      _ctx: unknown,
      token: { kind: string; accountId?: string; scope?: string; clientId?: string },
    ) {
      const app =
        token.kind === "ClientCredentials" && token.clientId ? appClients.get(token.clientId) : undefined;
      if (app) {
        // Entra's app-only token: no scp; roles only for consented application permissions (RBAC grants never appear).
        return Promise.resolve({
          tid: TEST_ACCOUNTS.platformAdmin.tid,
          oid: servicePrincipalIdOf(app),
          appid: app.clientId,
          azp: app.clientId,
          idtyp: "app",
          ver: "2.0",
          ...(app.roles.length ? { roles: app.roles } : {}),
        });
      }
      const account =
        token.kind === "AccessToken" && token.accountId ? accountById(token.accountId) : undefined;
      if (!account) return Promise.resolve(undefined);
      const { sub: _sub, ...claims } = entraClaims(account);
      const scp = String(token.scope ?? "")
        .split(" ")
        .filter((s) => s && !OIDC_SCOPES.has(s))
        .map((s) => s.split("/").pop())
        .join(" ");
      return Promise.resolve({ ...claims, scp, azp: token.clientId });
    },
    ttl: {
      AccessToken: accessTokenTtl,
      IdToken: 3600,
      RefreshToken: 24 * 3600,
      Grant: 24 * 3600,
      Session: 24 * 3600,
      Interaction: 600,
    },
    pkce: {
      required: (_ctx: unknown, client: { clientAuthMethod: string }) => client.clientAuthMethod === "none",
    },
  });
  provider.on("grant.success", (ctx: { oidc: { params: { grant_type: string } } }) => {
    const type = ctx.oidc.params.grant_type;
    counters.grants[type] = (counters.grants[type] ?? 0) + 1;
  });
  provider.on("grant.error", (_ctx: unknown, error: { error?: string }) => {
    const key = error.error ?? "server_error";
    counters.errors[key] = (counters.errors[key] ?? 0) + 1;
  });
  provider.use(async (ctx: KoaContext, next: () => Promise<void>) => {
    await next();
    // Answer errors the way Entra does: `error_codes` and an `AADSTS…` description.
    if (ctx.status >= 400 && ctx.body && typeof ctx.body === "object" && "error" in ctx.body) {
      const body = ctx.body as { error: string; error_description?: string };
      // A refused client assertion is a certificate problem in Entra (AADSTS700027), not a bad secret.
      const assertion =
        body.error === "invalid_client" && typeof ctx.oidc?.params?.client_assertion === "string";
      ctx.body = entraErrorBody(
        assertion ? { error: "invalid_client_assertion", error_description: body.error_description } : body,
      );
      if (assertion) (ctx.body as { error: string }).error = "invalid_client";
    }
  });

  const upsertClient = async (metadata: ClientMetadata) => {
    await new MemoryAdapter("Client", store).upsert(metadata.client_id, metadata);
  };
  const panelClient = (redirectUris: string[]): ClientMetadata => ({
    client_id: TEST_PANEL_CLIENT_ID,
    token_endpoint_auth_method: "none",
    application_type: "web",
    redirect_uris: redirectUris,
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  });
  const defaults: ClientMetadata[] = [
    panelClient(options.panelRedirectUris ?? ["http://localhost:3000/redirect.html"]),
    {
      client_id: TEST_SERVER_CLIENT_ID,
      client_secret: TEST_SERVER_CLIENT_SECRET,
      token_endpoint_auth_method: "client_secret_post",
      redirect_uris: options.serverRedirectUris ?? ["http://localhost:3000/api/v1/oauth/callback"],
      grant_types: ["authorization_code", "refresh_token", "client_credentials"],
      response_types: ["code"],
    },
  ];
  for (const client of [
    ...defaults.filter((d) => !options.clients?.some((c) => c.client_id === d.client_id)),
    ...(options.clients ?? []),
  ]) {
    await upsertClient(client);
  }

  const callback = provider.callback();
  handler = (req, res) => {
    let url = new URL(req.url ?? "/", issuer);
    // Entra's authorities name the tenant first (`/<tenant>/...`): unknown → AADSTS90002, known → served as the root.
    const tenantSegment =
      /^\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9-]+(?:\.[a-z0-9-]+)+)(\/.*)$/i.exec(
        url.pathname,
      );
    if (tenantSegment) {
      if (!tenants.has(tenantSegment[1].toLowerCase())) {
        const body = entraErrorBody({
          error: "invalid_tenant",
          error_description: `Tenant '${tenantSegment[1]}' not found.`,
        });
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify(body));
        return;
      }
      req.url = `${tenantSegment[2]}${url.search}`;
      url = new URL(req.url, issuer);
    }
    const interaction = /^\/interaction\/([\w-]+)$/.exec(url.pathname);
    if (interaction && req.method === "GET") {
      finishInteraction(req, res, url).catch((error: unknown) =>
        res.writeHead(500, { "content-type": "text/plain" }).end(String(error)),
      );
      return;
    }
    if (req.method === "POST" && url.pathname === "/token") {
      dropOfflineAccessOnRefresh(req).then(
        () => callback(req, res),
        (error: unknown) => res.writeHead(400).end(String(error)),
      );
      return;
    }
    callback(req, res);
  };

  async function finishInteraction(req: IncomingMessage, res: ServerResponse, url: URL) {
    const details = await provider.interactionDetails(req, res);
    const hint = url.searchParams.get("account") ?? details.params.login_hint;
    if (options.chooseAccount && typeof hint !== "string") {
      res
        .writeHead(200, { "content-type": "text/html; charset=utf-8" })
        .end(chooserPage(url.pathname, accounts));
      return;
    }
    const account =
      findTestAccount(hint, accounts) ??
      findTestAccount(options.defaultAccount ?? TEST_ACCOUNTS.platformAdmin.key, accounts) ??
      accounts[0];
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.oid }, select_account: {} },
      { mergeWithLastSubmission: false },
    );
  }

  return {
    issuer,
    port,
    caFile: certificate.certFile,
    certificate,
    accounts,
    counters,
    upsertClient,
    async registerAppOnlyClient(app) {
      appClients.set(app.clientId, app);
      const base = {
        client_id: app.clientId,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
      };
      if (app.certificatePem) {
        const jwk = createPublicKey(app.certificatePem).export({ format: "jwk" });
        await upsertClient({
          ...base,
          token_endpoint_auth_method: "private_key_jwt",
          jwks: { keys: [{ ...jwk, use: "sig" }] },
        });
      } else {
        await upsertClient({
          ...base,
          client_secret: app.secret ?? "",
          token_endpoint_auth_method: "client_secret_post",
        });
      }
    },
    registerPanel: (panelUrl) => {
      const origin = new URL(panelUrl).origin;
      const twins = [
        origin,
        origin.replace("//localhost:", "//127.0.0.1:"),
        origin.replace("//127.0.0.1:", "//localhost:"),
      ];
      return upsertClient(panelClient([...new Set(twins)].map((o) => `${o}/redirect.html`)));
    },
    revokeGrants(account) {
      const grants = store.get("Grant") ?? new Map();
      const ids = [...grants]
        .filter(([, e]) => !account || e.payload.accountId === account.oid)
        .map(([id]) => id);
      for (const id of ids) revokeGrant(store, id);
      return ids.length;
    },
    issueToken: (account, opts = {}) => issueToken(account, { issuer, audience: apiAudience, ...opts }),
    serverEnv: () => ({
      ENTRA_AUTHORITY: issuer,
      ENTRA_CLIENT_ID: apiAudience,
      ENTRA_ALLOWED_TENANTS: [...new Set(accounts.map((a) => a.tid))]
        .filter((t) => t === TEST_ACCOUNTS.platformAdmin.tid)
        .join(","),
      ENTRA_CA_FILE: certificate.certFile,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type KoaContext = { status: number; body: unknown; oidc?: { params?: Record<string, unknown> } };
type ScopeContext = {
  oidc: {
    params?: { scope?: string };
    entities?: { AuthorizationCode?: { scope?: string }; RefreshToken?: { scope?: string } };
  };
};
type GrantContext = {
  oidc: {
    client: { clientId: string };
    session: { accountId: string };
    params: { scope?: string; resource?: string };
    provider: {
      Grant: new (init: { clientId: string; accountId: string }) => {
        addOIDCScope(s: string): void;
        addResourceScope(r: string, s: string): void;
        save(): Promise<string>;
      };
    };
  };
};

function safeOrigin(uri: string): string | undefined {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}

/** `https://host/EWS.AccessAsUser.All` is for that host (Connect account); anything else is for the app's API. */
function audienceFor(scopes: string[], apiAudience: string): string {
  const url = scopes
    .map(safeOrigin)
    .find((o) => o && o.startsWith("https://") && !o.includes("mailbox-sync-admin"));
  return url ?? apiAudience;
}

/** The app's service principal object id: given, or a stable GUID-shaped id derived from the client id. */
function servicePrincipalIdOf(app: AppOnlyClient): string {
  if (app.servicePrincipalId) return app.servicePrincipalId;
  const h = createHash("sha256").update(app.clientId).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** MSAL re-sends `offline_access` when refreshing; oidc-provider refuses it there, Entra ignores it. */
async function dropOfflineAccessOnRefresh(req: IncomingMessage & { body?: string }): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const params = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
  if (params.get("grant_type") === "refresh_token" && params.has("scope")) {
    params.set(
      "scope",
      params
        .get("scope")!
        .split(" ")
        .filter((s) => s !== "offline_access")
        .join(" "),
    );
  }
  req.body = params.toString();
  req.headers["content-length"] = String(Buffer.byteLength(req.body));
}

const escapeHtml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The account picker of `chooseAccount`: one link per account back to the same interaction. */
function chooserPage(interactionPath: string, accounts: TestAccount[]): string {
  const links = accounts
    .map(
      (a) =>
        `<li><a href="${escapeHtml(interactionPath)}?account=${encodeURIComponent(a.key)}">${escapeHtml(a.name)}</a> ` +
        `<small>${escapeHtml(a.upn)}${a.roles?.length ? ` (${escapeHtml(a.roles.join(", "))})` : ""}</small></li>`,
    )
    .join("");
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider: pick an account</title></head>` +
    `<body style="font-family: sans-serif; margin: 2em"><h1>Pick an account</h1>` +
    `<p>This is the demo's test identity provider, standing in for Microsoft Entra ID.</p><ul>${links}</ul></body></html>`
  );
}
