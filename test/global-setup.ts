import { existsSync } from "node:fs";
import { CHROMIUM_PATH } from "./e2e/helpers/browser";
import { ensurePanelBuilt } from "./e2e/helpers/panel";
import { prepareTestTls } from "./helpers/tls";

/**
 * Runs once before any test file: builds the panel when the browser tests will run. Test files run in
 * parallel, and each browser file would otherwise find dist/client stale on a fresh clone and rebuild it
 * while another file's page is loading from it.
 */
export default function setup(): void {
  prepareTestTls();
  if (process.env.E2E === "1" || existsSync(CHROMIUM_PATH)) ensurePanelBuilt();
}
