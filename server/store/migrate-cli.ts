import path from "node:path";
import { loadConfig } from "../config";
import { openStore } from "./db";

const config = loadConfig();
const store = await openStore({
  databaseUrl: config.databaseUrl,
  sqliteFile: path.join(config.dataDir, "mailbox-sync.db"),
});
console.log(`migrations are up to date on ${store.dialect}`);
await store.close();
