import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./logger";
import { startServer } from "./server";

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
const running = await startServer({ config, log });
log.info({ url: running.url, database: running.ctx.store.dialect }, "Mailbox Sync Admin is listening");
console.log(`\n  Mailbox Sync Admin: ${config.baseUrl}  (database: ${running.ctx.store.dialect})`);
if (running.setupUrl) console.log(`  First start: create the first admin at ${running.setupUrl}\n`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
