import http from "node:http";
import type { AddressInfo } from "node:net";
import { AuthError } from "@azure/msal-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphClient } from "../graph/client";
import { ANSWER_TOO_LARGE, MAX_TOKEN_ANSWER_BYTES, TrustingNetworkClient } from "../oauth/network";
import { BackOffGate } from "./backoff";
import { mapFailure } from "./errors";
import { EwsTransport, MAX_ANSWER_BYTES, TransportError } from "./transport";

const MB = 1024 * 1024;

/**
 * A server that answers `size` bytes on /length/<size> (with a Content-Length) and on /chunked/<size>
 * (chunked, written with backpressure, stopping when the client goes away); `written` tells how far a
 * chunked answer got before the socket closed.
 */
function bigAnswers() {
  const written: Record<string, { bytes: number; closedEarly: boolean }> = {};
  const server = http.createServer((req, res) => {
    const [, mode, raw] = (req.url ?? "").split("/");
    const size = Number(raw);
    const body = mode === "json" ? `{"pad":"${"x".repeat(size)}"}` : undefined;
    if (mode === "length" || body) {
      const data = body ?? "x".repeat(size);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
      res.end(data);
      return;
    }
    const record: { bytes: number; closedEarly: boolean } = { bytes: 0, closedEarly: false };
    written[req.url!] = record;
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(64 * 1024, "x");
    const pump = () => {
      while (record.bytes < size) {
        if (res.destroyed) return;
        record.bytes += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    res.once("close", () => {
      if (record.bytes < size) record.closedEarly = true;
    });
    pump();
  });
  return { server, written };
}

describe("outbound answers are bounded", () => {
  const { server, written } = bigAnswers();
  let base = "";
  const transport = new EwsTransport({ allowedHosts: ["127.0.0.1"] });

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    transport.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("reads an EWS answer up to 8 MB whole", async () => {
    const answer = await transport.request({ url: `${base}/chunked/${MAX_ANSWER_BYTES - 64 * 1024}` });
    expect(answer.body.length).toBe(MAX_ANSWER_BYTES - 64 * 1024);
  });

  it("refuses an answer whose Content-Length passes the cap, before reading it", async () => {
    const error = await transport
      .request({ url: `${base}/length/${MAX_ANSWER_BYTES + 1}` })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe("ResponseTooLarge");
  });

  it("cuts a chunked answer at the cap and destroys the socket: nothing near the whole answer is read", async () => {
    const url = `${base}/chunked/${64 * MB}`;
    const error = await transport.request({ url }).catch((e: unknown) => e);
    expect((error as TransportError).code).toBe("ResponseTooLarge");
    await expect.poll(() => written["/chunked/" + 64 * MB]?.closedEarly).toBe(true);
    // The server stopped writing long before 64 MB: the client closed the connection.
    expect(written["/chunked/" + 64 * MB].bytes).toBeLessThan(32 * MB);
    // As a check's failure: not transient, and it says what happened.
    const failure = mapFailure({ error }, { ewsUrl: url });
    expect(failure).toMatchObject({ code: "ResponseTooLarge", transient: false });
    expect(failure.message).toContain("8 MB");
  });

  it("takes a smaller cap per call", async () => {
    const error = await transport
      .request({ url: `${base}/chunked/${2 * MB}`, maxResponseBytes: MB })
      .catch((e: unknown) => e);
    expect((error as TransportError).code).toBe("ResponseTooLarge");
  });

  it("fails a Graph call whose answer passes the cap with a non-transient failure", async () => {
    const graph = new GraphClient({
      transport,
      gate: new BackOffGate(),
      profileId: "p1",
      baseUrl: base,
      accessToken: "token",
      clientId: "client",
    });
    const outcome = await graph.get(`/chunked/${16 * MB}`);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.failure).toMatchObject({ code: "ResponseTooLarge", transient: false });
  });

  it("refuses an identity provider's answer above 1 MB with an AuthError msal-node passes through", async () => {
    const network = new TrustingNetworkClient();
    try {
      const small = await network.sendPostRequestAsync<{ pad: string }>(`${base}/json/${1000}`, { body: "" });
      expect(small.body.pad).toHaveLength(1000);
      for (const url of [`${base}/json/${MAX_TOKEN_ANSWER_BYTES}`, `${base}/chunked/${8 * MB}`]) {
        const error = await network.sendPostRequestAsync(url, { body: "" }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AuthError);
        expect((error as AuthError).errorCode).toBe(ANSWER_TOO_LARGE);
      }
      await expect.poll(() => written["/chunked/" + 8 * MB]?.closedEarly).toBe(true);
    } finally {
      network.close();
    }
  });
});
