import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Endpoint } from "../../contract/endpoints";
import { errorHandler } from "../http/error-handler";
import { createLogger } from "../logger";
import type { ProfileService } from "../services/profiles";
import { authorizeByContract, UnknownRoutes } from "./authorization";

/** A logger that keeps its lines. */
function capturingLog() {
  const lines: string[] = [];
  const log = createLogger(
    "info",
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  return { log, lines };
}

describe("UnknownRoutes", () => {
  it("logs a route at most once a minute", () => {
    const { log, lines } = capturingLog();
    let now = 0;
    const unknown = new UnknownRoutes(log, 10, () => now);
    expect(unknown.note("GET", "/nope")).toBe(true);
    now = 59_999;
    expect(unknown.note("GET", "/nope")).toBe(false);
    expect(unknown.note("POST", "/nope")).toBe(true);
    now = 60_000;
    expect(unknown.note("GET", "/nope")).toBe(true);
    expect(lines).toHaveLength(3);
  });

  it("remembers at most `kept` routes; beyond them, within the minute, counts instead of logging", () => {
    const { log, lines } = capturingLog();
    let now = 0;
    const unknown = new UnknownRoutes(log, 100, () => now);
    for (let i = 0; i < 10_000; i++) unknown.note("GET", `/anonymous-${i}`);
    expect(unknown.size).toBe(100);
    expect(lines).toHaveLength(100);
    // A minute later the old ones make room; the next line says how many went unlogged.
    now = 60_000;
    expect(unknown.note("GET", "/later")).toBe(true);
    expect(unknown.size).toBeLessThanOrEqual(100);
    expect(JSON.parse(lines[100])).toMatchObject({ route: "GET /later", unknownRoutesNotLogged: 9_900 });
  });

  it("cuts long paths in the log and in what it remembers", () => {
    const { log, lines } = capturingLog();
    const unknown = new UnknownRoutes(log);
    unknown.note("GET", `/${"a".repeat(100_000)}`);
    expect(lines[0].length).toBeLessThan(1000);
  });
});

describe("authorizeByContract", () => {
  const contract: Endpoint[] = [
    { method: "get", path: "/listed", summary: "listed", tag: "t", auth: "user" },
    { method: "get", path: "/open", summary: "open", tag: "t", auth: "none" },
  ];
  let base = "";
  let close: () => Promise<void>;
  const { log, lines } = capturingLog();
  beforeAll(async () => {
    const app = express();
    app.set("case sensitive routing", true);
    app.use((req, _res, next) => {
      if (req.headers["x-test-admin"]) {
        req.principal = { kind: "local", id: "a", name: "admin@x.test", platformAdmin: true };
      }
      next();
    });
    app.use(authorizeByContract(contract, {} as ProfileService, log));
    const handled = (_req: express.Request, res: express.Response) => void res.json({ handled: true });
    app.get("/listed", handled);
    app.get("/open", handled);
    // Mounted, but missing from the contract: must never run.
    app.get("/forgotten", handled);
    app.use(errorHandler(log));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  const get = async (path: string, admin = true) => {
    const res = await fetch(`${base}${path}`, { headers: admin ? { "x-test-admin": "1" } : {} });
    return { status: res.status, body: (await res.json()) as { handled?: boolean; error?: { id: string } } };
  };

  it("refuses a mounted route the contract doesn't list, even for a platform admin (fail closed)", async () => {
    expect(await get("/forgotten")).toEqual({
      status: 404,
      body: { error: expect.objectContaining({ id: "not_found" }) as unknown },
    });
    expect((await get("/forgotten", false)).status).toBe(404);
    expect(lines.some((line) => line.includes('"GET /forgotten"'))).toBe(true);
  });

  it("matches case-sensitively: a re-cased listed route is unknown", async () => {
    expect(await get("/listed")).toEqual({ status: 200, body: { handled: true } });
    expect(await get("/listed/")).toEqual({ status: 200, body: { handled: true } });
    expect((await get("/Listed")).status).toBe(404);
    expect((await get("/OPEN", false)).status).toBe(404);
    expect((await get("/listed", false)).status).toBe(401);
  });
});
