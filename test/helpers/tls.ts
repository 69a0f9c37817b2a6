import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createSelfSignedCertificate } from "../idp/certificate";

/**
 * Run once by the global setup, before the test workers start: a local certificate for 127.0.0.1 that
 * servers under test can serve (`TEST_TLS_CERT_FILE`, `TEST_TLS_KEY_FILE`) and that every worker trusts
 * (`NODE_EXTRA_CA_CERTS`, read by Node at start only: hence here, before the workers are forked). The
 * Graph SDK sends its token only over https, so the Graph gateway's tests serve https.
 */
export function prepareTestTls(): void {
  if (process.env.TEST_TLS_CERT_FILE) return;
  const dir = mkdtempSync(path.join(tmpdir(), "test-tls-"));
  const tls = createSelfSignedCertificate(dir);
  const trusted = path.join(dir, "trusted.pem");
  const earlier = process.env.NODE_EXTRA_CA_CERTS
    ? readFileSync(process.env.NODE_EXTRA_CA_CERTS, "utf8")
    : "";
  writeFileSync(trusted, `${earlier}\n${tls.cert}`);
  process.env.NODE_EXTRA_CA_CERTS = trusted;
  process.env.TEST_TLS_CERT_FILE = tls.certFile;
  process.env.TEST_TLS_KEY_FILE = tls.keyFile;
}

/** A free port on 127.0.0.1 (for a server whose BASE_URL must be known before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The environment that makes a test server serve https at a known BASE_URL with the global setup's
 * certificate; undefined when the setup didn't run (the caller skips).
 */
export async function httpsServerEnv(): Promise<Record<string, string> | undefined> {
  const certFile = process.env.TEST_TLS_CERT_FILE;
  const keyFile = process.env.TEST_TLS_KEY_FILE;
  if (!certFile || !keyFile) return undefined;
  const port = await freePort();
  return {
    PORT: String(port),
    BASE_URL: `https://127.0.0.1:${port}`,
    TLS_CERT_FILE: certFile,
    TLS_KEY_FILE: keyFile,
  };
}
