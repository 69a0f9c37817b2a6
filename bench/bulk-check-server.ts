/**
 * The real server alone in a child process for the bulk-check benchmark (its RSS is measured apart from
 * the simulator and the load). Configured from the environment; prints `{"url": ...}` once listening.
 */
import { loadConfig } from "../server/config";
import { startServer } from "../server/server";

const config = loadConfig(process.env, "");
const running = await startServer({ config });
console.log(JSON.stringify({ url: running.url }));
process.on("SIGTERM", () => void running.close().then(() => process.exit(0)));
