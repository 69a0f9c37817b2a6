import type { Request, RequestHandler, Response } from "express";

type HeaderStep = { set: string; value: string | number | readonly string[] } | { remove: string };

/**
 * A middleware that only sets and removes the same headers on every answer (helmet with fixed directives,
 * as the app's), recorded once and replayed by one loop instead of its chain of middleware. Whatever else
 * the middleware does when recorded (reads the request, calls another method, fails, doesn't go on) makes
 * this answer the middleware itself. Not for headers that depend on the request (CSP nonces).
 * @example app.use(recordedHeaders(helmet()));
 */
export function recordedHeaders(middleware: RequestHandler): RequestHandler {
  const steps: HeaderStep[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      steps.push({ set: name, value });
      return recorder;
    },
    removeHeader(name: string) {
      steps.push({ remove: name });
    },
  };
  let wentOn = false;
  try {
    const request = new Proxy({} as Request, {
      get: () => {
        throw new Error("reads the request");
      },
    });
    void middleware(request, recorder as unknown as Response, (error?: unknown) => {
      wentOn = error === undefined;
    });
  } catch {
    return middleware;
  }
  if (!wentOn) return middleware;
  return (_req, res, next) => {
    for (const step of steps) {
      if ("set" in step) res.setHeader(step.set, step.value);
      else res.removeHeader(step.remove);
    }
    next();
  };
}
