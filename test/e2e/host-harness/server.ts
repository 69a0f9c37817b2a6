import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";

/** A running fake-host harness. */
export interface HostHarness {
  /** The harness origin, for EXTRA_FRAME_ANCESTORS. */
  origin: string;
  /** The harness page URL that frames `appUrl` with the given host theme. */
  pageUrl(
    appUrl: string,
    options?: { theme?: "default" | "dark" | "contrast"; host?: "Teams" | "Outlook" },
  ): string;
  close(): Promise<void>;
}

/**
 * Serves the fake Teams host page on its own 127.0.0.1 port (another origin than the panel), so the
 * panel runs cross-origin in a frame as it does in Teams.
 */
export async function startHostHarness(): Promise<HostHarness> {
  const html = readFileSync(path.join(import.meta.dirname, "harness.html"));
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith("/host")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(html);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pageUrl: (appUrl, options = {}) =>
      `${origin}/host?${new URLSearchParams({ app: appUrl, theme: options.theme ?? "default", host: options.host ?? "Teams" }).toString()}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
