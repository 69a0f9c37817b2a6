import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import https from "node:https";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EwsTransport, TransportError } from "./transport";

/** A self-signed certificate for 127.0.0.1 and localhost (openssl, as the test identity provider does). */
function selfSigned(): { key: string; cert: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "ews-tls-"));
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=exchange.test",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:exchange.test",
    ],
    { stdio: "ignore" },
  );
  return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8"), file: cert };
}

describe("EWS transport", () => {
  let tls: { key: string; cert: string; file: string };
  let httpsServer: https.Server;
  let httpServer: http.Server;
  let httpsPort = 0;
  let httpPort = 0;
  let connections = 0;

  beforeAll(async () => {
    tls = selfSigned();
    httpsServer = https.createServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.end("ok"));
    httpServer = http.createServer({ keepAlive: true }, (req, res) => {
      if (req.url === "/redirect") {
        res.writeHead(302, { location: "http://169.254.169.254/latest" });
        return res.end();
      }
      res.end("ok");
    });
    httpServer.on("connection", () => connections++);
    await new Promise<void>((r) => httpsServer.listen(0, "127.0.0.1", r));
    await new Promise<void>((r) => httpServer.listen(0, "127.0.0.1", r));
    httpsPort = (httpsServer.address() as AddressInfo).port;
    httpPort = (httpServer.address() as AddressInfo).port;
  });
  afterAll(() => {
    httpsServer.close();
    httpServer.closeAllConnections();
    httpServer.close();
  });

  it("refuses an untrusted certificate as TlsError, and trusts it from EWS_CA_FILE", async () => {
    const plain = new EwsTransport({ allowedHosts: ["127.0.0.1"] });
    const error = await plain
      .request({ url: `https://127.0.0.1:${httpsPort}/EWS/Exchange.asmx`, method: "GET" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe("TlsError");
    plain.close();
    const dir = mkdtempSync(path.join(tmpdir(), "ews-ca-"));
    writeFileSync(path.join(dir, "ca.pem"), tls.cert);
    const trusting = new EwsTransport({ allowedHosts: ["127.0.0.1"], caFile: path.join(dir, "ca.pem") });
    expect(
      (await trusting.request({ url: `https://127.0.0.1:${httpsPort}/EWS/Exchange.asmx`, method: "GET" }))
        .body,
    ).toBe("ok");
    trusting.close();
  });

  it("resolves a name once per connection through the injected resolver and reuses the socket", async () => {
    let lookups = 0;
    const t = new EwsTransport({
      allowedHosts: ["exchange.test"],
      resolver: () => (lookups++, Promise.resolve([{ address: "127.0.0.1", family: 4 as const }])),
    });
    connections = 0;
    for (let i = 0; i < 5; i++) {
      expect(
        (await t.request({ url: `http://exchange.test:${httpPort}/EWS/Exchange.asmx`, method: "GET" }))
          .status,
      ).toBe(200);
    }
    expect(lookups).toBe(1);
    expect(connections).toBe(1);
    t.close();
  });

  it("refuses a name that resolves to a private address when only the name of another host is allowed", async () => {
    const t = new EwsTransport({
      allowedHosts: ["other.test"],
      resolver: () => Promise.resolve([{ address: "127.0.0.1" as const, family: 4 as const }]),
    });
    await expect(
      t.request({ url: `https://exchange.test:${httpsPort}/`, method: "GET" }),
    ).rejects.toMatchObject({ code: "UrlPrivateAddress" });
    t.close();
  });

  it("does not follow redirects by itself (callers re-check each hop)", async () => {
    const t = new EwsTransport({ allowedHosts: ["127.0.0.1"] });
    const answer = await t.request({ url: `http://127.0.0.1:${httpPort}/redirect`, method: "GET" });
    expect(answer.status).toBe(302);
    await expect(t.request({ url: answer.headers.location, method: "GET" })).rejects.toMatchObject({
      code: "UrlMetadataAddress",
    });
    t.close();
  });
});
