import http from "node:http";
import type { AddressInfo } from "node:net";

/** A local alert webhook on 127.0.0.1 that keeps every JSON body (Adaptive Card) it gets, answering 202. */
export interface WebhookReceiver {
  url: string;

  bodies: any[];
  close(): Promise<void>;
}

/** @example const receiver = await startWebhookReceiver(); ... expect(receiver.bodies).toHaveLength(1); */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
