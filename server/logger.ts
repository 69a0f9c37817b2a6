import pino, { type Logger } from "pino";

/** Paths whose values never reach a log line, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  "password",
  "*.password",
  "*.*.password",
  "current",
  "next",
  "token",
  "*.token",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "clientSecret",
  "*.clientSecret",
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
];

/**
 * Creates the process logger. Secrets are redacted by path; request and response bodies are never logged.
 * Without a destination, lines go to standard output off the request path: buffered (sonic-boom, written
 * once 4 KB have gathered or the stream drains), flushed synchronously when the process exits; a SIGKILL
 * may lose the last few lines. Writing each access line synchronously cost `/me/status` about half its
 * throughput at LOG_LEVEL=info (`npm run bench -- me-status-load`).
 * @example const log = createLogger("info");
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } };
  if (destination) return pino(options, destination);
  if (level === "silent") return pino(options);
  return pino(options, pino.destination({ dest: 1, sync: false, minLength: 4096 }));
}

export type { Logger };
