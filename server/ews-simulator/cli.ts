import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startExchangeSimulator } from "./server";
import { loadTenantFile, TenantError } from "./tenant";

const DEFAULT_TENANT = fileURLToPath(new URL("./demo-tenant.json", import.meta.url));

/** `npm run simulator -- --port <p> [--latency-ms <ms>] [--jitter-ms <ms>] [--tenant <file>] [--host <h>]` */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      "latency-ms": { type: "string", default: "0" },
      "jitter-ms": { type: "string", default: "0" },
      tenant: { type: "string", default: DEFAULT_TENANT },
    },
  });
  const number = (name: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) {
      throw new TenantError(`--${name} must be a whole number ≥ 0, got "${value}"`);
    }
    return n;
  };
  const tenant = await loadTenantFile(values.tenant ?? DEFAULT_TENANT);
  const sim = await startExchangeSimulator({
    tenant,
    port: number("port", values.port),
    host: values.host,
    latencyMs: number("latency-ms", values["latency-ms"]),
    jitterMs: number("jitter-ms", values["jitter-ms"]),
  });
  console.log(`Exchange simulator (${tenant.name}, ${tenant.mailboxes.length} mailboxes)`);
  console.log(`EWS URL: ${sim.ewsUrl}`);
  console.log(`Autodiscover: ${sim.autodiscoverUrl} and ${sim.autodiscoverSvcUrl}`);
  console.log(
    `Add mail while it runs: npm run demo:mail -- --simulator ${sim.url} --to <address> (POST ${sim.url}/_control/mailboxes/<address>/items)`,
  );
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof TenantError ? error.message : error);
  process.exit(1);
});
