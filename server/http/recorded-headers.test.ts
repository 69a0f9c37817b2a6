import type { AddressInfo } from "node:net";
import express, { type RequestHandler } from "express";
import helmet from "helmet";
import { describe, expect, it } from "vitest";
import { recordedHeaders } from "./recorded-headers";

/** The headers an app answers with when `middleware` runs before a plain handler. */
async function headersWith(middleware: RequestHandler): Promise<[string, string][]> {
  const app = express();
  app.use(middleware);
  app.get("/", (_req, res) => void res.send("ok"));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return [...res.headers].filter(([name]) => name !== "date" && name !== "etag");
  } finally {
    server.close();
  }
}

describe("recordedHeaders", () => {
  it("answers with helmet's headers, in helmet's order, X-Powered-By removed", async () => {
    const options = {
      contentSecurityPolicy: {
        directives: { defaultSrc: ["'self'"], frameAncestors: ["https://*.office.com"] },
      },
      strictTransportSecurity: true,
    };
    const recorded = await headersWith(recordedHeaders(helmet(options)));
    expect(recorded).toEqual(await headersWith(helmet(options)));
    expect(recorded.map(([name]) => name)).not.toContain("x-powered-by");
    expect(recorded.find(([name]) => name === "content-security-policy")?.[1]).toMatch(/frame-ancestors/);
  });

  it("leaves a middleware that reads the request as it is", () => {
    const withNonce = helmet({
      contentSecurityPolicy: { directives: { scriptSrc: [(req) => `'nonce-${req.headers.host ?? ""}'`] } },
    });
    expect(recordedHeaders(withNonce)).toBe(withNonce);
    const refusing: RequestHandler = (_req, _res, next) => next(new Error("no"));
    expect(recordedHeaders(refusing)).toBe(refusing);
  });
});
