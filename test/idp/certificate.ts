import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** A self-signed certificate for 127.0.0.1 and localhost; `certFile` doubles as the CA file clients trust. */
export interface SelfSignedCertificate {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

/**
 * Generates a fresh self-signed certificate with openssl (present on these machines and in CI images).
 * @example const { certFile } = createSelfSignedCertificate(); // ENTRA_CA_FILE=certFile
 */
export function createSelfSignedCertificate(
  dir = mkdtempSync(path.join(tmpdir(), "test-idp-tls-")),
): SelfSignedCertificate {
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-sha256",
      "-days",
      "30",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"), certFile, keyFile };
}
