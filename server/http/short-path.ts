import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(`middleware failed: ${JSON.stringify(error)}`));

/** Runs one middleware as a promise: resolved when it calls `next()`, rejected with what it throws or passes on. */
export function runMiddleware(handler: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const next = (error?: unknown) => (error ? reject(asError(error)) : resolve());
    try {
      const result: unknown = handler(req, res, next);
      if (result instanceof Promise) result.catch((error: unknown) => reject(asError(error)));
    } catch (error) {
      reject(asError(error));
    }
  });
}

export interface ShortPathOptions<M> {
  /** What the request must be for this path to answer it (null: any other request goes on to the app). */
  match: (req: Request) => M | null;
  /** The middleware the app would run for it (security headers, authentication, limits...), in order. */
  checks: RequestHandler[];
  serve: (req: Request, res: Response, match: M) => Promise<void>;
  /** The app's error handler: errors are answered as everywhere else. */
  errorHandler: ErrorRequestHandler;
}

/**
 * An endpoint on a short path of its own, mounted right after the request log: a busy call skips the
 * routers and middleware that don't apply to it and runs only `checks`, then `serve`. Answers nothing
 * the app wouldn't: same headers, same checks, same error handler.
 * @example app.use(shortPath({ match: (req) => (req.url === "/ping" ? true : null), checks: [helmet()], serve: async (_req, res) => void res.end("pong"), errorHandler }));
 */
export function shortPath<M>({ match, checks, serve, errorHandler }: ShortPathOptions<M>): RequestHandler {
  const answer = async (req: Request, res: Response, matched: M) => {
    for (const check of checks) await runMiddleware(check, req, res);
    await serve(req, res, matched);
  };
  return (req, res, next) => {
    const matched = match(req);
    if (matched === null) return next();
    answer(req, res, matched).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      errorHandler(error, req, res, () => undefined);
    });
  };
}
