import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WEBHOOK_ANSWER_BYTES, WebhookDeliveryError, WebhookSender } from "./webhook";

describe("WebhookSender", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it("checks what a name resolves to at delivery: a name pointing into private space is refused before connecting", async () => {
    let connections = 0;
    const server = http.createServer((_req, res) => res.end());
    server.on("connection", () => connections++);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => server.close());
    const sender = new WebhookSender({
      allowedHosts: [],
      resolver: () => Promise.resolve([{ address: "127.0.0.1", family: 4 }]),
    });
    cleanups.push(() => sender.close());
    const port = (server.address() as AddressInfo).port;
    const sent = sender.post(`https://hooks.example.test:${port}/x`, { type: "message" });
    await expect(sent).rejects.toBeInstanceOf(WebhookDeliveryError);
    await expect(sent).rejects.toThrow(/WEBHOOK_ALLOWED_HOSTS/);
    expect(connections).toBe(0);
  });

  it("reads at most WEBHOOK_ANSWER_BYTES of the answer, then drops the connection", async () => {
    let written = 0;
    let closedEarly = false;
    const chunk = Buffer.alloc(64 * 1024, 97);
    const total = 64 * 1024 * 1024;
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.on("close", () => (closedEarly = written < total));
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => server.close());
    const sender = new WebhookSender({ allowedHosts: ["127.0.0.1"] });
    cleanups.push(() => sender.close());
    const port = (server.address() as AddressInfo).port;
    await expect(sender.post(`http://127.0.0.1:${port}/hook`, {})).rejects.toThrow(/could not deliver/);
    await new Promise((r) => setImmediate(r));
    await expect.poll(() => closedEarly).toBe(true);
    expect(written).toBeLessThan(total);
    expect(WEBHOOK_ANSWER_BYTES).toBeLessThanOrEqual(1024 * 1024);
  });
});
