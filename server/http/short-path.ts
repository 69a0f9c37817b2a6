import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";

const asError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(`middleware failed: ${JSON.stringify(error)}`);

/**
 * Runs `checks` in order, as Express would (each calls `next()` to go on, or throws, rejects or passes an
 * error to stop), then `serve`: one promise per request, however many checks.
 */
function runChecks<M>(
  checks: RequestHandler[],
  serve: (req: Request, res: Response, match: M) => Promise<void>,
  req: Request,
  res: Response,
  matched: M,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let index = 0;
    const fail = (error: unknown) => reject(asError(error));
    const next = (error?: unknown): void => {
      if (error) return fail(error);
      if (index === checks.length) return void serve(req, res, matched).then(resolve, fail);
      const check = checks[index++];
      try {
        const result: unknown = check(req, res, next);
        if (result instanceof Promise) result.catch(fail);
      } catch (caught) {
        fail(caught);
      }
    };
    next();
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
  return (req, res, next) => {
    const matched = match(req);
    if (matched === null) return next();
    runChecks(checks, serve, req, res, matched).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      errorHandler(error, req, res, () => undefined);
    });
  };
}
