import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from "express";

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

/** A short path: mounted with `app.use`, or run by `frontDoor` before Express's router. */
export interface ShortPath extends RequestHandler {
  /**
   * Answers the request when it is this path's (`first` runs before, like the middleware mounted ahead of
   * the path: the request log); false, having done nothing, when it isn't.
   */
  tryAnswer(req: Request, res: Response, first?: RequestHandler): boolean;
}

/**
 * An endpoint on a short path of its own, mounted right after the request log: a busy call skips the
 * routers and middleware that don't apply to it and runs only `checks`, then `serve`. Answers nothing
 * the app wouldn't: same headers, same checks, same error handler.
 * @example app.use(shortPath({ match: (req) => (req.url === "/ping" ? true : null), checks: [helmet()], serve: async (_req, res) => void res.end("pong"), errorHandler }));
 */
export function shortPath<M>({ match, checks, serve, errorHandler }: ShortPathOptions<M>): ShortPath {
  const answer = (req: Request, res: Response, matched: M) => {
    runChecks(checks, serve, req, res, matched).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      errorHandler(error, req, res, () => undefined);
    });
  };
  const tryAnswer = (req: Request, res: Response, first?: RequestHandler): boolean => {
    const matched = match(req);
    if (matched === null) return false;
    if (first) void first(req, res, () => answer(req, res, matched));
    else answer(req, res, matched);
    return true;
  };
  const mounted: RequestHandler = (req, res, next) => {
    if (!tryAnswer(req, res)) next();
  };
  return Object.assign(mounted, { tryAnswer });
}

/**
 * The app's request listener with its short paths in front of Express's router: a request one of them
 * takes gets what `app.handle` gives every request (Express's request and response methods), then `first`
 * (the request log) and the path, as when the router walks to them, without the router's work per layer,
 * which made about a quarter of `GET /me/status`'s allocations under load (a sampling heap profile during
 * `npm run bench -- me-status-load`).
 * Every other request goes to the app, whose router has the same paths mounted after the same `first`.
 * @example http.createServer(frontDoor(app, log, [meStatus, gateway]));
 */
export function frontDoor(
  app: Express,
  first: RequestHandler,
  paths: ShortPath[],
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const request = Object.setPrototypeOf(req, app.request) as Request;
    const response = Object.setPrototypeOf(res, app.response) as Response;
    request.res = response;
    response.req = request;
    response.locals ??= Object.create(null) as Response["locals"];
    for (const path of paths) if (path.tryAnswer(request, response, first)) return;
    app(req, res);
  };
}
