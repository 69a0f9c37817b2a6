/**
 * A job runner alone in a child process, for the crash test: `node --import tsx runner-process.ts`
 * with RUNNER_DB (a SQLite file, or "postgres"), RUNNER_PG_SCHEMA, TEST_DATABASE_URL, RUNNER_EWS_URL,
 * RUNNER_LEASE_MS. Prints "ready" once running and "idle" when no job is left.
 */
import { DEMO } from "../../ews-simulator/demo-tenant";
import { createLogger } from "../../logger";
import { openStore } from "../../store/db";
import { storeAccess } from "../../store/unit-of-work";
import { JobRunner } from "../runner";
import { soapCheckPort } from "./soap-check-port";

const env = process.env;
const store = await openStore(
  env.RUNNER_DB === "postgres"
    ? { databaseUrl: env.TEST_DATABASE_URL, pgSchema: env.RUNNER_PG_SCHEMA, poolSize: 10 }
    : { sqliteFile: env.RUNNER_DB },
);
const runner = new JobRunner({
  store: storeAccess(store.db),
  checks: soapCheckPort(env.RUNNER_EWS_URL!, DEMO.serviceAccount),
  log: createLogger("silent"),
  maxConcurrency: 50,
  leaseMs: Number(env.RUNNER_LEASE_MS ?? 1500),
  pollMs: 100,
  tickMs: 100,
}).start();
console.log("ready");
process.on(
  "SIGTERM",
  () =>
    void runner
      .close()
      .then(() => store.close())
      .then(() => process.exit(0)),
);
