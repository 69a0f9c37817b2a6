import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../logger";
import type { Metrics } from "./metrics";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** How often a refused scrape is logged at most (a scraper with a wrong token would log every 15 s). */
const REFUSAL_LOG_EVERY_MS = 60_000;

/**
 * `GET /metrics` for the app and the worker's own port: 404 while metrics are off (no token: nothing
 * tells the path exists), 401 without `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time,
 * as digests of equal length), else the Prometheus text format (0.0.4). No session, CSRF or rate limit:
 * the token is the only credential, and a 32-character random token is not guessed by trying.
 * @example app.get("/metrics", metricsEndpoint({ metrics, token: config.metrics.token, log }));
 */
export function metricsEndpoint({
  metrics,
  token,
  log,
}: {
  metrics: Metrics;
  token: string | undefined;
  log: Logger;
}): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const expected = token && metrics.enabled ? digest(token) : undefined;
  let refusedLoggedAt = -Infinity;
  return (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    if (!expected) {
      res.statusCode = 404;
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.end("Not Found");
      return;
    }
    const [scheme = "", presented = ""] = (req.headers.authorization ?? "").split(" ", 2);
    const matches = timingSafeEqual(digest(presented), expected);
    if (scheme.toLowerCase() !== "bearer" || !matches) {
      const now = Date.now();
      if (now - refusedLoggedAt >= REFUSAL_LOG_EVERY_MS) {
        refusedLoggedAt = now;
        log.warn(
          { remoteAddress: req.socket.remoteAddress, tokenSent: presented !== "" },
          "metrics scrape refused: send Authorization: Bearer <METRICS_TOKEN> (logged at most once a minute)",
        );
      }
      res.statusCode = 401;
      res.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.end("Unauthorized: send Authorization: Bearer <METRICS_TOKEN>.");
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => {
        res.statusCode = 200;
        res.setHeader("Content-Type", contentType);
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (error: unknown) => {
        log.error({ err: error }, "metrics could not be collected");
        res.statusCode = 500;
        res.setHeader("Content-Type", "text/plain; charset=utf-8");
        res.end("The metrics could not be collected; see the server log.");
      },
    );
  };
}

/** The worker's metrics server. */
export interface MetricsServer {
  server: http.Server;
  /** `http://<host>:<port>`. */
  url: string;
  close(): Promise<void>;
}

/**
 * A tiny HTTP server for `npm run worker`, which has no app: `GET /metrics` as the app answers it (same
 * token rule), 404 for any other path, 405 for another method. Bound to `host` (127.0.0.1 by default,
 * METRICS_HOST) so only what runs beside the worker, or a scraper the operator lets in, reaches it.
 * @example const m = await startMetricsServer({ metrics: ctx.metrics, token, port: 9464, host: "127.0.0.1", log });
 */
export async function startMetricsServer(options: {
  metrics: Metrics;
  token: string | undefined;
  port: number;
  host: string;
  log: Logger;
}): Promise<MetricsServer> {
  const answer = metricsEndpoint(options);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "").split("?", 1)[0];
    if (path !== "/metrics") {
      res.statusCode = 404;
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.end("Not Found");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.statusCode = 405;
      res.setHeader("Allow", "GET, HEAD");
      res.end();
      return;
    }
    answer(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
