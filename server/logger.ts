import pino, { type Logger } from "pino";
import { BatchedDestination } from "./log-destination";

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

/** Standard output's one buffer, made by the first logger that writes there. */
let stdout: BatchedDestination | undefined;

/**
 * Creates the process logger. Secrets are redacted by path; request and response bodies are never logged.
 * Without a destination, lines go to standard output off the request path: gathered in memory and written
 * in one system call every 100 ms (or each 64 K characters), and synchronously when the process exits
 * (server/log-destination.ts); a SIGKILL may lose the last 100 ms of lines. Writing each access line
 * synchronously cost `/me/status` about half its throughput at LOG_LEVEL=info, and sonic-boom's buffer
 * about 5 µs a line (`npm run bench -- me-status-load`).
 * @example const log = createLogger("info");
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } };
  if (destination) return pino(options, destination);
  if (level === "silent") return pino(options);
  // One buffer for standard output, however many loggers: lines stay in order, one exit handler.
  stdout ??= new BatchedDestination({ fd: 1 });
  return pino(options, stdout);
}

export type { Logger };
