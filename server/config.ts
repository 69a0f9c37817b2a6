import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const bool = z
  .enum(["on", "off", "true", "false", "1", "0"])
  .transform((v) => v === "on" || v === "true" || v === "1");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);
const base64Key = z
  .string()
  .refine(
    (v) => Buffer.from(v, "base64").length === 32,
    "must be 32 bytes encoded in base64 (openssl rand -base64 32)",
  );

const envSchema = z.object({
  PORT: int(0, 65535).default(3000),
  BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional(),
  SECRET_KEY: base64Key.optional(),
  SECRET_KEY_PREVIOUS: z
    .string()
    .refine(
      (v) => v.split(",").every((k) => Buffer.from(k.trim(), "base64").length === 32),
      "each key must be 32 bytes in base64",
    )
    .optional(),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  EXTRA_FRAME_ANCESTORS: list.default([]),
  APP_ID: z.uuid().optional(),
  ENTRA_CLIENT_ID: z.string().optional(),
  ENTRA_CLIENT_SECRET: z.string().optional(),
  ENTRA_CLIENT_CERT_FILE: z.string().optional(),
  ENTRA_TENANT_ID: z.string().optional(),
  ENTRA_AUTHORITY: z.url().default("https://login.microsoftonline.com"),
  ENTRA_ALLOWED_TENANTS: list.default([]),
  ENTRA_CA_FILE: z.string().optional(),
  ENTRA_APP_ID_URI: z
    .string()
    .regex(/^api:\/\/[^\s/]+(\/[^\s/]+)?$/, "must be api://<host>/<client id> or api://<client id>")
    .optional(),
  GRAPH_BASE_URL: z.url().default("https://graph.microsoft.com/v1.0"),
  EWS_ALLOWED_HOSTS: list.default([]),
  EWS_CA_FILE: z.string().optional(),
  GATEWAY_MAX_RESPONSE_MB: int(1, 10_240).default(200),
  JOBS_RUNNER: bool.default(true),
  JOBS_MAX_CONCURRENCY: int(1, 1000).default(50),
  JOBS_DEADLINE_HOURS: int(1, 720).default(24),
  MONITOR_INTERVAL_MINUTES: int(0, 10_080).default(30),
  ALERT_FAILURE_SHARE: z.coerce.number().min(0).max(1).default(0.5),
  ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  WEBHOOK_ALLOWED_HOSTS: list.default([]),
  AUDIT_RETENTION_DAYS: int(1, 36_500).default(365),
  SESSION_MAX_HOURS: int(1, 24 * 30).default(12),
  TRUST_PROXY: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  METRICS_TOKEN: z
    .string()
    .min(32, "must be at least 32 characters (openssl rand -hex 32)")
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces (openssl rand -hex 32)")
    .optional(),
  METRICS_PORT: int(0, 65535).optional(),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
});

export type Config = ReturnType<typeof toConfig>;

/** Thrown with one line per bad variable, so a start fails with a message an operator can act on. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

function toConfig(env: z.infer<typeof envSchema>) {
  const port = env.PORT;
  const baseUrl = (env.BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, "");
  return {
    port,
    baseUrl,
    secureCookies: baseUrl.startsWith("https://"),
    dataDir: path.resolve(env.DATA_DIR),
    databaseUrl: env.DATABASE_URL,
    secretKey: env.SECRET_KEY,
    secretKeyPrevious: env.SECRET_KEY_PREVIOUS?.split(",").map((k) => k.trim()) ?? [],
    adminEmail: env.ADMIN_EMAIL,
    adminPassword: env.ADMIN_PASSWORD,
    tls:
      env.TLS_CERT_FILE && env.TLS_KEY_FILE
        ? { certFile: env.TLS_CERT_FILE, keyFile: env.TLS_KEY_FILE }
        : undefined,
    extraFrameAncestors: env.EXTRA_FRAME_ANCESTORS,
    appId: env.APP_ID,
    entra: {
      clientId: env.ENTRA_CLIENT_ID,
      clientSecret: env.ENTRA_CLIENT_SECRET,
      clientCertFile: env.ENTRA_CLIENT_CERT_FILE,
      tenantId: env.ENTRA_TENANT_ID,
      authority: env.ENTRA_AUTHORITY.replace(/\/+$/, ""),
      allowedTenants: env.ENTRA_ALLOWED_TENANTS,
      caFile: env.ENTRA_CA_FILE,
      /** The Application ID URI when it isn't the default `api://<host of BASE_URL>/<client id>`. */
      appIdUri: env.ENTRA_APP_ID_URI,
    },
    graphBaseUrl: env.GRAPH_BASE_URL.replace(/\/+$/, ""),
    ews: { allowedHosts: env.EWS_ALLOWED_HOSTS, caFile: env.EWS_CA_FILE },
    gateway: { maxResponseBytes: env.GATEWAY_MAX_RESPONSE_MB * 1024 * 1024 },
    jobs: {
      runner: env.JOBS_RUNNER,
      maxConcurrency: env.JOBS_MAX_CONCURRENCY,
      deadlineHours: env.JOBS_DEADLINE_HOURS,
    },
    monitor: {
      intervalMinutes: env.MONITOR_INTERVAL_MINUTES,
      alertFailureShare: env.ALERT_FAILURE_SHARE,
      webhookUrl: env.ALERT_WEBHOOK_URL,
      /** Private hosts/CIDRs (and http) the alert webhook may use; separate from EWS's allow list. */
      webhookAllowedHosts: env.WEBHOOK_ALLOWED_HOSTS,
    },
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    /** A local admin's session ends this long after sign-in, however active (besides the idle timeout). */
    session: { maxHours: env.SESSION_MAX_HOURS },
    trustProxy: env.TRUST_PROXY,
    logLevel: env.LOG_LEVEL,
    /**
     * Prometheus metrics: `GET /metrics` (and the worker's own port) answer only with this bearer token;
     * without one they are off (404). `port`: where `npm run worker` serves them.
     */
    metrics: { token: env.METRICS_TOKEN, port: env.METRICS_PORT, host: env.METRICS_HOST },
  };
}

/**
 * Reads configuration from the environment (and `.env` when present), validating every variable.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, envFile = ".env"): Config {
  if (envFile && existsSync(envFile) && env === process.env) process.loadEnvFile(envFile);
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join(".")}: ${issue.message}`);
  } else {
    if (parsed.data.DATABASE_URL && !parsed.data.SECRET_KEY) {
      problems.push(
        "SECRET_KEY: required with DATABASE_URL (all instances must share it; openssl rand -base64 32)",
      );
    }
    if (Boolean(parsed.data.TLS_CERT_FILE) !== Boolean(parsed.data.TLS_KEY_FILE)) {
      problems.push("TLS_CERT_FILE/TLS_KEY_FILE: set both or neither");
    }
    if ((parsed.data.ADMIN_EMAIL === undefined) !== (parsed.data.ADMIN_PASSWORD === undefined)) {
      problems.push("ADMIN_EMAIL/ADMIN_PASSWORD: set both or neither");
    }
    if (parsed.data.METRICS_PORT !== undefined && !parsed.data.METRICS_TOKEN) {
      problems.push("METRICS_PORT: set METRICS_TOKEN too (metrics are served only with a token)");
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return toConfig(parsed.data);
}

/** A configuration for tests and tools: defaults plus the given variables, ignoring the process environment. */
export function testConfig(vars: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: "./data-test", LOG_LEVEL: "silent", ...vars }, "");
}
