import { ConfigError, loadConfig } from "./config";
import { createContext } from "./context";
import { startBackground } from "./background";
import { createLogger } from "./logger";
import { resolveSecretKey, Sealer } from "./secrets/sealer";
import path from "node:path";
import { openStore } from "./store/db";
import { startMetricsServer } from "./metrics/endpoint";

/**
 * `npm run worker`: the job runner and the monitor without HTTP, so several instances can share one
 * PostgreSQL (each claims jobs under a lease; a crashed worker's jobs are taken over after it).
 */
let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    for (const line of err.problems) console.error(`config: ${line}`);
    process.exit(2);
  }
  throw err;
}
const log = createLogger(config.logLevel);
const store = await openStore({
  databaseUrl: config.databaseUrl,
  sqliteFile: path.join(config.dataDir, "mailbox-sync.db"),
});
const sealer = new Sealer(resolveSecretKey(config.secretKey, config.dataDir).key, config.secretKeyPrevious);
const ctx = createContext({ config, store, sealer, log });
const background = startBackground(ctx);
// METRICS_PORT: the worker's own Prometheus metrics (it has no app to serve GET /metrics).
const metricsServer =
  config.metrics.port === undefined
    ? undefined
    : await startMetricsServer({
        metrics: ctx.metrics,
        token: config.metrics.token,
        port: config.metrics.port,
        host: config.metrics.host,
        log,
      });
log.info(
  { database: store.dialect, owner: background.runner?.owner, metrics: metricsServer?.url },
  "worker started",
);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "worker stopping: giving unfinished items back");
    void background
      .close()
      .then(() => metricsServer?.close())
      .then(() => store.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
