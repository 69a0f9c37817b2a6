import { existsSync } from "node:fs";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import express, { type Express } from "express";
import helmet from "helmet";
import { authenticate, requireSameOrigin } from "./auth/middleware";
import { authorizeByContract } from "./auth/authorization";
import { endpoints } from "../contract/endpoints";
import { meRouter, meStatusEndpoint } from "./routes/me";
import { profileAdminsRouter } from "./routes/profile-admins";
import type { HttpContext } from "./http-context";
import { apiNotFound, errorHandler } from "./http/error-handler";
import { recordedHeaders } from "./http/recorded-headers";
import { requestLog } from "./http/request-log";
import { frontDoor } from "./http/short-path";
import { adminsRouter } from "./routes/admins";
import { authRouter } from "./routes/auth";
import { openApiDocument } from "./routes/openapi";
import { profilesRouter } from "./routes/profiles";
import { overviewRouter } from "./routes/overview";
import { mailboxAccessRouter } from "./routes/mailbox-access";
import { oauthRouter } from "./routes/oauth";
import { connectivityRouter } from "./routes/connectivity";
import { checksRouter } from "./routes/checks";
import { jobsRouter, profileJobsRouter } from "./routes/jobs";
import { profileMigrationsRouter } from "./routes/profile-migrations";
import { alertsRouter } from "./routes/alerts";
import { auditRouter } from "./routes/audit";
import { settingsRouter } from "./routes/settings";
import { usersRouter } from "./routes/users";
import { problemsRouter } from "./routes/problems";
import { serviceKeysRouter } from "./routes/service-keys";
import { syncGuards, syncRouter } from "./routes/sync";
import { gatewayEndpoint } from "./sync/gateway-endpoint";
import { graphEndpoint } from "./sync/graph-endpoint";
import { appPackageRouter } from "./routes/app-package";
import { installRouter } from "./routes/install";
import { projectPath } from "./paths";
import { legalPagesRouter } from "./routes/legal-pages";
import { metricsEndpoint } from "./metrics/endpoint";

/** Where the built panel lives (`vite build` output). */
export const CLIENT_DIST = projectPath("dist/client");

/** Origins that may frame the panel: Teams, Outlook and Microsoft 365 hosts. */
export const HOST_FRAME_ANCESTORS = [
  "'self'",
  "https://teams.microsoft.com",
  "https://*.teams.microsoft.com",
  "https://*.teams.microsoft.us",
  "https://teams.cloud.microsoft",
  "https://*.cloud.microsoft",
  "https://outlook.office.com",
  "https://outlook.office365.com",
  "https://outlook.live.com",
  "https://*.office.com",
  "https://*.office365.com",
  "https://*.microsoft365.com",
  "https://m365.cloud.microsoft",
];

/** The panel's HTTP side: the Express app, and the listener that serves (the short paths first, then the app). */
export interface PanelHttp {
  app: Express;
  /** For `http.createServer`: the short paths answer before Express's router (server/http/short-path.ts). */
  listener: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * Builds the Express app from its dependencies.
 * @example const { listener } = createApp(createContext({ config, store, sealer, log })); http.createServer(listener);
 */
export function createApp(ctx: HttpContext): PanelHttp {
  const app = express();
  // Paths match as typed, in the app and in every router (`Router({ caseSensitive: true })`), like the
  // contract's authorization: `/Autodiscover` is not `/autodiscover` (test/authorization-matrix.test.ts).
  app.set("case sensitive routing", true);
  app.disable("x-powered-by");
  // ETags are set on purpose where they mean a version (mailbox access); Express's own weak ETags on
  // every JSON answer would be sent back as If-Match by clients and refused as stale.
  app.set("etag", false);
  if (ctx.config.trustProxy) {
    app.set(
      "trust proxy",
      /^\d+$/.test(ctx.config.trustProxy) ? Number(ctx.config.trustProxy) : ctx.config.trustProxy,
    );
  }

  // Lines logged inside a request carry only its id; the request itself is logged once, at its end.
  // Probes and scrapes are not logged one line each (a refused scrape is, once a minute: metrics/endpoint.ts).
  const logRequests = requestLog(app, ctx.log, {
    ignore: (url) => url === "/healthz" || url === "/readyz" || url === "/metrics",
  });
  app.use(logRequests);
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "https://appsforoffice.microsoft.com", "https://res.cdn.office.net"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        // teams-js fetches its list of valid host domains from Microsoft's CDN (it falls back to a built-in list).
        connectSrc: [
          "'self'",
          "https://res.cdn.office.net",
          ...(ctx.config.entra.authority ? [new URL(ctx.config.entra.authority).origin] : []),
        ],
        frameSrc: [
          "'self'",
          ...(ctx.config.entra.authority ? [new URL(ctx.config.entra.authority).origin] : []),
        ],
        frameAncestors: [...HOST_FRAME_ANCESTORS, ...ctx.config.extraFrameAncestors],
        upgradeInsecureRequests: ctx.config.secureCookies ? [] : null,
      },
    },
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: "same-origin-allow-popups" },
    frameguard: false,
    strictTransportSecurity: ctx.config.secureCookies,
  });
  const sync = syncGuards(ctx);
  const handleError = errorHandler(ctx.log);
  const authenticateCaller = authenticate({ sessions: ctx.services.localAdmins, bearer: ctx.bearer });
  // The busiest calls take a short path of their own: the side panes' status (first: the most frequent
  // call, and the cheapest, passes no other short path's match), the sync service's EWS and Graph calls.
  // Mounted here after the request log, and run by the listener before the router (`frontDoor`).
  const shortPaths = [
    meStatusEndpoint({
      meStatus: ctx.services.meStatus,
      securityHeaders: recordedHeaders(securityHeaders),
      authenticate: authenticateCaller,
      errorHandler: handleError,
    }),
    gatewayEndpoint({
      gateway: ctx.services.ewsGateway,
      guards: sync,
      securityHeaders,
      errorHandler: handleError,
      maxResponseBytes: ctx.config.gateway.maxResponseBytes,
      log: ctx.log,
      metrics: ctx.metrics,
    }),
    graphEndpoint({
      gateway: ctx.services.graphGateway,
      guards: sync,
      securityHeaders,
      log: ctx.log,
      metrics: ctx.metrics,
    }),
  ];
  app.use(...shortPaths);
  app.use(securityHeaders);

  // Ribbon icons for Outlook (loaded cross-origin by Outlook on the web, hence CORP cross-origin).
  app.use(
    "/icons",
    express.static(projectPath("manifest/icons"), {
      index: false,
      maxAge: "1d",
      setHeaders: (res) => res.setHeader("Cross-Origin-Resource-Policy", "cross-origin"),
    }),
  );
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      await ctx.readiness.ping();
      res.json({ status: "ready", database: ctx.readiness.database });
    } catch {
      res.status(503).json({ status: "unavailable", database: ctx.readiness.database });
    }
  });
  // Prometheus (outside /api: no session, CSRF, rate limit or contract; its bearer token only). 404 when off.
  app.get(
    "/metrics",
    metricsEndpoint({ metrics: ctx.metrics, token: ctx.config.metrics.token, log: ctx.log }),
  );
  app.get("/api/openapi.json", (_req, res) => {
    res.json(openApiDocument(ctx.config.baseUrl));
  });

  const api = express.Router({ caseSensitive: true });
  api.use(
    express.json({
      limit: "2mb",
      strict: true,
      type: (req) => /\bjson\b/i.test(req.headers["content-type"] ?? ""),
    }),
  );
  api.use(authenticateCaller);
  api.use(requireSameOrigin(ctx.config.baseUrl));
  api.use(authorizeByContract(endpoints, ctx.services.profiles, ctx.log));
  // The sync service's other calls go first: no router mounted at "/" below answers /sync.
  api.use("/sync", syncRouter(ctx, sync));
  api.use(meRouter(ctx));
  api.use("/profiles", profileAdminsRouter(ctx));
  api.use(authRouter(ctx));
  api.use("/profiles", profilesRouter(ctx));
  api.use("/overview", overviewRouter(ctx));
  api.use(mailboxAccessRouter(ctx), connectivityRouter(ctx), checksRouter(ctx));
  api.use(oauthRouter(ctx));
  api.use("/admins", adminsRouter(ctx));
  api.use(usersRouter(ctx));
  api.use(problemsRouter(ctx));
  api.use("/settings/alerts", alertsRouter(ctx));
  api.use("/settings", settingsRouter(ctx));
  api.use("/audit-events", auditRouter(ctx));
  api.use("/service-keys", serviceKeysRouter(ctx));
  api.use("/app-package", appPackageRouter(ctx));
  api.use(installRouter(ctx));
  api.use("/profiles", profileJobsRouter(ctx));
  api.use("/jobs", jobsRouter(ctx));
  api.use(profileMigrationsRouter(ctx));
  api.use(apiNotFound);
  app.use("/api/v1", api);
  // Any casing of /api is the API's (a JSON 404), never the panel's pages.
  app.use((req, res, next) => (/^\/api(?:\/|$)/i.test(req.path) ? apiNotFound(req, res, next) : next()));

  serveClient(app);
  app.use(handleError);
  return { app, listener: frontDoor(app, logRequests, shortPaths) };
}

function serveClient(app: Express) {
  const index = path.join(CLIENT_DIST, "index.html");
  app.use(legalPagesRouter());
  // The sync-status view (its own Vite page): the Sync status tab and the Outlook task pane open /status.
  const statusPage = path.join(CLIENT_DIST, "status.html");
  app.get("/status", (_req, res, next) => {
    if (!existsSync(statusPage)) return next();
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(statusPage);
  });
  if (!existsSync(index)) {
    app.get("/", (_req, res) => {
      res
        .type("html")
        .send(
          "<!doctype html><title>Mailbox Sync Admin</title><h1>Mailbox Sync Admin</h1><p>The API is running. Build the panel with <code>npm run build</code>.</p>",
        );
    });
    return;
  }
  app.use(
    express.static(CLIENT_DIST, {
      index: false,
      maxAge: "1h",
      setHeaders: (res, file) => {
        if (file.endsWith(".html")) res.setHeader("Cache-Control", "no-cache");
      },
    }),
  );
  app.get(/^\/(?!api\/|healthz|readyz|metrics).*/, (req, res, next) => {
    if (req.method !== "GET" || path.extname(req.path)) return next();
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(index);
  });
}
