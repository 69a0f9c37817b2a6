import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createApp } from "./app";
import type { Config } from "./config";
import { createContext, type AppContext } from "./context";
import { createEntraVerifier } from "./auth/entra";
import { createLogger, type Logger } from "./logger";
import { resolveSecretKey, Sealer } from "./secrets/sealer";
import { bootstrap } from "./services/bootstrap";
import { startBackground } from "./background";
import { openStore, type StoreOptions } from "./store/db";

export interface RunningServer {
  ctx: AppContext;
  server: http.Server;
  url: string;
  setupUrl?: string;
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  log?: Logger;
  /** Overrides for the store (tests pass a PostgreSQL schema or ":memory:"). */
  store?: StoreOptions;
  host?: string;
  /** Overrides the check service the job runner uses (tests: a simulator checker). */
  checks?: import("./jobs/types").CheckPort;
  /** The clock the services read (tests move it; default: the real clock). */
  clock?: import("./domain/clock").Clock;
}

/**
 * Opens the store, wires the app and listens. Used by `main.ts`, the demo and the tests alike.
 * @example const running = await startServer({ config: testConfig() });
 */
export async function startServer({
  config,
  log = createLogger(config.logLevel),
  store: storeOptions,
  host,
  checks,
  clock,
}: StartOptions): Promise<RunningServer> {
  const store = await openStore(
    storeOptions ?? {
      databaseUrl: config.databaseUrl,
      sqliteFile: path.join(config.dataDir, "mailbox-sync.db"),
    },
  );
  const secret = resolveSecretKey(config.secretKey, config.dataDir);
  if (secret.generated) {
    log.warn(
      { file: path.join(config.dataDir, "secret.key") },
      "SECRET_KEY is not set: generated a key into DATA_DIR. Back it up with the database; set SECRET_KEY in production.",
    );
  }
  const sealer = new Sealer(secret.key, config.secretKeyPrevious);
  // Entra ID sign-in (bearer tokens) is on when the app registration is configured.
  const bearer = config.entra.clientId
    ? createEntraVerifier({ entra: config.entra, baseUrl: config.baseUrl, log })
    : undefined;
  const ctx = createContext({ config, store, sealer, log, bearer, clock });
  const { setupUrl } = await bootstrap(ctx);
  const { listener } = createApp(ctx);
  const server = config.tls
    ? https.createServer(
        { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) },
        listener,
      )
    : http.createServer(listener);
  server.on("connection", (socket: import("node:net").Socket) => socket.setNoDelay(true));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, host ?? (config.port === 0 ? "127.0.0.1" : undefined), resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `${config.tls ? "https" : "http"}://${config.port === 0 ? "127.0.0.1" : "localhost"}:${port}`;
  // JOBS_RUNNER=on: this instance also runs jobs and the monitor (npm run worker runs them alone).
  const background = config.jobs.runner ? startBackground(ctx, { checks }) : undefined;
  return {
    ctx,
    server,
    url,
    setupUrl,
    close: async () => {
      await background?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      ctx.services.ews.close();
      await ctx.services.rateLimits.shutdown();
      await store.close();
    },
  };
}
