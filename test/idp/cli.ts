/**
 * Runs the test identity provider alone, for trying Entra sign-in by hand:
 * `npx tsx test/idp/cli.ts [--port 3443] [--panel http://localhost:3000]`. Prints the ENTRA_* settings a
 * server needs and the accounts to sign in as (`?account=<key>` or the login hint picks one).
 */
import { parseArgs } from "node:util";
import { startTestIdentityProvider } from "./provider";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "3443" },
    panel: { type: "string", default: "http://localhost:3000" },
  },
});
const idp = await startTestIdentityProvider({ port: Number(values.port) });
await idp.registerPanel(values.panel);
console.log(`Test identity provider: ${idp.issuer} (panel ${values.panel} registered)\n`);
console.log("Server settings (.env):");
for (const [name, value] of Object.entries(idp.serverEnv())) console.log(`  ${name}=${value}`);
console.log("\nAccounts:");
for (const a of idp.accounts) {
  console.log(
    `  ${a.key.padEnd(18)} ${a.upn}${a.roles?.length ? `  roles: ${a.roles.join(", ")}` : ""}${a.acct === 1 ? "  (guest)" : ""}`,
  );
}
console.log("\nChromium needs --ignore-certificate-errors (self-signed certificate). Ctrl+C stops it.");
process.on("SIGINT", () => void idp.close().then(() => process.exit(0)));
