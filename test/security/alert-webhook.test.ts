/**
 * The alert webhook follows the outbound URL policy with its own allow list (WEBHOOK_ALLOWED_HOSTS), and
 * the test send can't tell an open port from a closed one (docs/SECURITY.md). On both databases.
 */
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { announcePostgresSkip, startTestServer, testDatabases, type TestServer } from "../helpers/server";

announcePostgresSkip();

/** A port that was just free (nothing listens on it). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe.each(testDatabases())("alert webhook (%s)", (dialect) => {
  let s: TestServer;
  const servers: (http.Server | net.Server)[] = [];
  const listen = async (server: http.Server | net.Server) => {
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return (server.address() as AddressInfo).port;
  };
  beforeAll(async () => {
    s = await startTestServer({
      dialect,
      env: {
        JOBS_RUNNER: "off",
        MONITOR_INTERVAL_MINUTES: "0",
        WEBHOOK_ALLOWED_HOSTS: "127.0.0.1,169.254.0.0/16",
      },
    });
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    await s?.close();
  });

  const testSend = async (url: string) => {
    expect((await s.admin.put("/settings", { alertWebhookUrl: url })).status, url).toBe(200);
    return s.admin.post("/settings/alerts/test", {});
  };

  it("delivers to a host WEBHOOK_ALLOWED_HOSTS lists", async () => {
    const bodies: string[] = [];
    const port = await listen(
      http.createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
          bodies.push(body);
          res.writeHead(202).end();
        });
      }),
    );
    const res = await testSend(`http://127.0.0.1:${port}/hook`);
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(bodies[0])).toMatchObject({ type: "message" });
  });

  it("answers the same for a closed port, an HTTP error and a service that isn't HTTP: could not deliver", async () => {
    const notFound = await listen(http.createServer((_req, res) => res.writeHead(404).end("no hook here")));
    const ssh = await listen(net.createServer((socket) => socket.end("SSH-2.0-OpenSSH_9.6\r\n")));
    const answers = [];
    for (const port of [await closedPort(), notFound, ssh]) {
      const res = await testSend(`http://127.0.0.1:${port}/hook`);
      expect(res.status).toBe(502);
      answers.push(JSON.stringify(res.body).replace(`:${port}`, ":PORT"));
    }
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain("could not deliver");
    expect(answers[0]).not.toMatch(/ECONNREFUSED|refused|HTTP 404|dropped|socket/i);
  });

  it("never allows a metadata address, even inside an allowed range", async () => {
    const res = await s.admin.put("/settings", { alertWebhookUrl: "http://169.254.169.254/latest" });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ path: "alertWebhookUrl" });
    expect(res.body.error.details[0].message).toMatch(/metadata/);
  });
});
