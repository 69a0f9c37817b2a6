import http from "node:http";
import type { AddressInfo } from "node:net";
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import { afterEach, describe, expect, it } from "vitest";
import { frontDoor, shortPath } from "./short-path";

/**
 * An app as server/app.ts builds one, `first` (a request log that counts) then a short path for GET /fast
 * then the other routes, behind a layer that counts the requests the router walks.
 */
function appWithShortPath() {
  const seen = { first: 0, router: 0 };
  const app = express();
  const first: RequestHandler = (_req, res, next) => {
    seen.first += 1;
    res.setHeader("X-Request-Id", String(seen.first));
    next();
  };
  const errorHandler: ErrorRequestHandler = (error: Error, _req, res, _next) => {
    res.status(418).json({ error: error.message });
  };
  const fast = shortPath({
    match: (req) => (req.method === "GET" && req.url.startsWith("/fast") ? req.url.slice(5) : null),
    checks: [(req, _res, next) => (req.headers["x-refuse"] ? next(new Error("refused")) : next())],
    // res.json and req.get are Express's: the short path gets them as on the router.
    serve: (req, res, rest) => Promise.resolve(void res.json({ rest, agent: req.get("x-agent") ?? null })),
    errorHandler,
  });
  app.use((_req, _res, next) => {
    seen.router += 1;
    next();
  });
  app.use(first, fast);
  app.get("/slow", (_req, res) => void res.json({ slow: true }));
  app.use(errorHandler);
  return { seen, listener: frontDoor(app, first, [fast]) };
}

describe("frontDoor", () => {
  let server: http.Server | undefined;
  afterEach(() => server?.close());

  async function start(listener: http.RequestListener) {
    server = http.createServer(listener);
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("answers a short path's request before the router, after `first`, with Express's request and response", async () => {
    const { seen, listener } = appWithShortPath();
    const url = await start(listener);
    const res = await fetch(`${url}/fast?x=1`, { headers: { "x-agent": "pane" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ rest: "?x=1", agent: "pane" });
    expect(res.headers.get("x-request-id")).toBe("1");
    expect(seen).toEqual({ first: 1, router: 0 });
  });

  it("hands every other request to the app, whose router runs `first` once", async () => {
    const { seen, listener } = appWithShortPath();
    const url = await start(listener);
    const res = await fetch(`${url}/slow`);
    expect(await res.json()).toEqual({ slow: true });
    expect(seen).toEqual({ first: 1, router: 1 });
    expect((await fetch(`${url}/fast`, { method: "POST" })).status).toBe(404); // not the path's: the app's 404
    expect(seen).toEqual({ first: 2, router: 2 });
  });

  it("answers a failed check with the app's error handler", async () => {
    const { seen, listener } = appWithShortPath();
    const url = await start(listener);
    const res = await fetch(`${url}/fast`, { headers: { "x-refuse": "1" } });
    expect(res.status).toBe(418);
    expect(await res.json()).toEqual({ error: "refused" });
    expect(seen.router).toBe(0);
  });
});
