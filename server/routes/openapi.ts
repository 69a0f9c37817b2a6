import { z } from "zod";
import { ErrorBody } from "../../contract/common";
import { endpoints } from "../../contract/endpoints";

const jsonSchema = (schema: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(schema, { io, unrepresentable: "any", target: "openapi-3.0" });

/** The OpenAPI 3 document, generated from `contract/endpoints.ts`. */
export function openApiDocument(baseUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of endpoints) {
    const path = `/api/v1${e.path.replace(/:(\w+)/g, "{$1}")}`;
    const params = [...e.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const query = e.query
      ? Object.entries((jsonSchema(e.query, "input").properties ?? {}) as Record<string, unknown>).map(
          ([name, schema]) => ({ name, in: "query", required: false, schema }),
        )
      : [];
    paths[path] ??= {};
    paths[path][e.method] = {
      summary: e.summary,
      tags: [e.tag],
      security:
        e.auth === "none"
          ? []
          : e.auth === "service-key"
            ? [{ serviceKey: [] }]
            : [{ bearer: [] }, { cookie: [] }],
      parameters: [...params, ...query],
      requestBody: e.body
        ? { required: true, content: { "application/json": { schema: jsonSchema(e.body, "input") } } }
        : undefined,
      responses: {
        "2XX": {
          description: "Success",
          content: e.response
            ? { "application/json": { schema: jsonSchema(e.response, "output") } }
            : undefined,
        },
        "4XX": {
          description: "A problem the caller can fix",
          content: { "application/json": { schema: jsonSchema(ErrorBody, "output") } },
        },
      },
    };
  }
  return {
    openapi: "3.0.3",
    info: { title: "Mailbox Sync Admin API", version: "1" },
    servers: [{ url: baseUrl }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "Microsoft Entra ID access token" },
        cookie: { type: "apiKey", in: "cookie", name: "msa_session", description: "Local admin session" },
        serviceKey: {
          type: "http",
          scheme: "bearer",
          description: "Service key (msk_...) for the sync service",
        },
      },
    },
    paths,
  };
}
