/** Detail of a validation problem: where it is and what is wrong. */
export interface ErrorDetail {
  path?: string;
  message: string;
  [key: string]: unknown;
}

/**
 * An error a client can act on: an HTTP status, a stable snake_case id and a message a person can read.
 * @example throw notFound("Profile not found");
 */
export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly id: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
  }
}

export const validationFailed = (message: string, details?: ErrorDetail[]) =>
  new AppError(400, "validation_failed", message, details);
export const badRequest = (id: string, message: string, details?: unknown) =>
  new AppError(400, id, message, details);
export const unauthorized = (message = "Sign in to continue.") => new AppError(401, "unauthorized", message);
export const forbidden = (message = "You do not have access to this.") =>
  new AppError(403, "forbidden", message);
export const notFound = (message = "Not found.") => new AppError(404, "not_found", message);
export const conflict = (message: string, details?: unknown) =>
  new AppError(409, "conflict", message, details);
export const preconditionFailed = (message: string) => new AppError(412, "precondition_failed", message);
export const payloadTooLarge = (message: string) => new AppError(413, "payload_too_large", message);
export const tooManyRequests = (message: string) => new AppError(429, "rate_limited", message);
export const jobRunning = (jobId: string) =>
  new AppError(409, "job_running", "A job is already running for this profile.", { jobId });
