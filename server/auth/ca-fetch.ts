import { readFileSync } from "node:fs";
import https from "node:https";
import { rootCertificates } from "node:tls";

/** A fetch-shaped GET over node:https, for libraries (jose) that take a custom fetch. */
export type GetFetch = (
  url: string,
  options: { headers?: Headers | Record<string, string>; signal?: AbortSignal },
) => Promise<Response>;

/**
 * A GET-only fetch that trusts the system's CAs plus the given PEM file, passed in code (no process-wide
 * NODE_EXTRA_CA_CERTS), so a test identity provider with a self-signed certificate can be trusted by configuration.
 * @example const get = fetchTrusting(config.entra.caFile); const res = await get(url, {});
 */
export function fetchTrusting(caFile: string | undefined): GetFetch {
  if (!caFile) {
    return (url, options) =>
      fetch(url, { headers: options.headers, signal: options.signal, redirect: "manual" });
  }
  // No keep-alive: key and discovery fetches are rare, and a pooled socket may outlive a restarted authority.
  const agent = new https.Agent({
    keepAlive: false,
    ca: [...rootCertificates, readFileSync(caFile, "utf8")],
  });
  return (url, options) =>
    new Promise<Response>((resolve, reject) => {
      const headers =
        options.headers instanceof Headers ? Object.fromEntries(options.headers) : (options.headers ?? {});
      const req = https.get(url, { agent, headers, signal: options.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) {
              responseHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
            }
          }
          resolve(
            new Response(Buffer.concat(chunks), { status: res.statusCode ?? 502, headers: responseHeaders }),
          );
        });
      });
      req.on("error", reject);
    });
}
