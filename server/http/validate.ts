import type { Request } from "express";
import type { z } from "zod";
import { validationFailed, type ErrorDetail } from "../errors";

function toDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.slice(0, 50).map((issue) => ({
    path: issue.path.map(String).join(".") || undefined,
    message: issue.message,
  }));
}

function summary(details: ErrorDetail[], where: string): string {
  const first = details[0];
  if (!first) return `The ${where} is not valid.`;
  const more =
    details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? "s" : ""})` : "";
  return `${first.path ? `${first.path}: ` : ""}${first.message}${more}`;
}

/**
 * Parses a value with a zod schema or throws a 400 `validation_failed` that says what to fix.
 * @example const body = parse(CreateProfileBody, req.body, "request body");
 */
export function parse<T extends z.ZodType>(schema: T, value: unknown, where = "request body"): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = toDetails(result.error);
    throw validationFailed(summary(details, where), details);
  }
  return result.data;
}

/** The JSON body, parsed with the schema. A missing body counts as `{}`. */
export const parseBody = <T extends z.ZodType>(schema: T, req: Request): z.infer<T> =>
  parse(schema, req.body ?? {}, "request body");

/** The query string, parsed with the schema. */
export const parseQuery = <T extends z.ZodType>(schema: T, req: Request): z.infer<T> =>
  parse(schema, req.query, "query string");

/** A route parameter, which must be present. */
export function param(req: Request, name: string): string {
  return urlParam(name, req.params[name]);
}

/** A path segment's value, decoded: non-empty and at most 320 characters, or a 400. */
export function urlParam(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 320) {
    throw validationFailed(`The ${name} in the URL is not valid.`);
  }
  return value;
}
