import type { ErrorRequestHandler, RequestHandler } from "express";
import { AppError } from "../errors";
import type { Logger } from "../logger";

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

function fromBodyParser(err: BodyParserError): AppError | undefined {
  switch (err.type ?? "") {
    case "entity.parse.failed":
      return new AppError(400, "malformed_json", "The request body is not valid JSON.");
    case "entity.too.large":
      return new AppError(
        413,
        "payload_too_large",
        `The request body is larger than the ${Math.round((err.limit ?? 0) / 1024)} KB this endpoint accepts.`,
      );
    case "encoding.unsupported":
    case "charset.unsupported":
      return new AppError(415, "unsupported_media_type", "Send the body as UTF-8 JSON.");
    default:
      return err.status && err.status >= 400 && err.status < 500
        ? new AppError(err.status, "bad_request", err.message)
        : undefined;
  }
}

/**
 * Database errors people can act on. PostgreSQL refuses text it can't store (a NUL character, invalid
 * UTF-8): that is the caller's input, so a 400. A full or read-only store is named as such. In each case
 * the statement failed, so nothing was written.
 */
function fromDatabase(err: Error): AppError | undefined {
  const code = (err as Error & { code?: unknown }).code;
  if (code === "22021" || code === "22P05") {
    return new AppError(
      400,
      "invalid_characters",
      "The request contains a character that can't be stored (such as a NUL character). Remove it and try again.",
    );
  }
  // Not the caller's fault, but an operator can act on it: say what it is instead of an opaque 500.
  if (code === "SQLITE_FULL" || code === "53100") {
    return new AppError(
      507,
      "storage_full",
      "The database is full (disk or size limit). Nothing was saved; free space or raise the limit, then try again.",
    );
  }
  if (code === "SQLITE_READONLY" || code === "25006") {
    return new AppError(
      503,
      "storage_read_only",
      "The database is read-only right now. Nothing was saved; ask your administrator to check the data folder's permissions or the database server.",
    );
  }
  return undefined;
}

/**
 * The one place errors become responses: `{ error: { id, message, details } }`. A known error keeps its
 * status and id; anything else is logged and answered as an opaque 500.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const known =
      err instanceof AppError
        ? err
        : err instanceof Error
          ? (fromBodyParser(err) ?? fromDatabase(err))
          : undefined;
    if (known) {
      if (known.status === 401 || known.status === 403) req.log?.info({ errorId: known.id }, known.message);
      res
        .status(known.status)
        .json({ error: { id: known.id, message: known.message, details: known.details } });
      return;
    }
    (req.log ?? log).error({ err }, "unhandled error");
    if (res.headersSent) return;
    res.status(500).json({
      error: {
        id: "internal_error",
        message:
          "Something went wrong on our side. Try again; if it keeps failing, give the request id to your administrator.",
        details: { requestId: req.id },
      },
    });
  };
}

/** 404 for any API path no router answered. */
export const apiNotFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: { id: "not_found", message: `No API endpoint ${req.method} ${req.path}.` } });
};
