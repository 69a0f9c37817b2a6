import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Socket } from "node:net";
import path from "node:path";
import { Writable } from "node:stream";
import pg from "pg";
import { testConfig } from "../../server/config";
import { createLogger } from "../../server/logger";
import { startServer, type RunningServer } from "../../server/server";
import type { Clock } from "../../server/domain/clock";
import { within } from "./real-delay";

export const ADMIN_EMAIL = "admin@example.com";
export const ADMIN_PASSWORD = "Admin-Password-123";

export type DialectName = "sqlite" | "postgres";

/** The databases the storage suite runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function testDatabases(): DialectName[] {
  return process.env.TEST_DATABASE_URL ? ["sqlite", "postgres"] : ["sqlite"];
}

let announced = false;
/** Says once, in the output, that the PostgreSQL half of the suite is skipped. */
export function announcePostgresSkip(): void {
  if (!process.env.TEST_DATABASE_URL && !announced) {
    announced = true;
    console.log("TEST_DATABASE_URL is not set: PostgreSQL storage tests are skipped (SQLite ran).");
  }
}

/** A fresh PostgreSQL schema name, and a way to drop it. */
export function freshSchema(): { schema: string; drop(): Promise<void> } {
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  return {
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestServer extends RunningServer {
  /** Every log line the server wrote, as text. */
  logs: string[];
  /** A client for the API with the local admin's session. */
  admin: ApiClient;
  /** A client with no session. */
  anonymous: ApiClient;
  dialect: DialectName;
  /**
   * Closes the server once every client has closed its connections: each is ended, and awaited until its
   * client closed its side too, so fetch has dropped its keep-alive sockets to this port. For a restart on
   * the same port, where a socket of the old server's would otherwise answer the new one's first request
   * with "other side closed".
   */
  closeForRestart(): Promise<void>;
}

export interface TestServerOptions {
  dialect?: DialectName;
  env?: Record<string, string>;
  /** Reuse a PostgreSQL schema (restarts); a fresh one otherwise. */
  pgSchema?: string;
  /** Reuse a SQLite file (restarts); in memory otherwise. */
  sqliteFile?: string;
  keepSchema?: boolean;
  /** The clock the server's services read (default: the real clock). */
  clock?: Clock;
}

/**
 * Starts the real server on 127.0.0.1 with a fresh database and a signed-in admin client.
 * @example const s = await startTestServer({ dialect: "postgres" }); await s.admin.post("/profiles", {...});
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dialect = options.dialect ?? "sqlite";
  const dataDir = mkdtempSync(path.join(tmpdir(), "msa-test-"));
  const config = testConfig({
    PORT: "0",
    DATA_DIR: dataDir,
    SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LOG_LEVEL: "info",
    ...options.env,
  });
  const logs: string[] = [];
  const log = createLogger(
    config.logLevel,
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString());
        done();
      },
    }),
  );
  const schema =
    dialect === "postgres"
      ? options.pgSchema
        ? { schema: options.pgSchema, drop: async () => {} }
        : freshSchema()
      : undefined;
  const running = await startServer({
    config,
    log,
    clock: options.clock,
    store:
      dialect === "postgres"
        ? { databaseUrl: process.env.TEST_DATABASE_URL, pgSchema: schema!.schema, poolSize: 5 }
        : { sqliteFile: options.sqliteFile ?? ":memory:" },
  });
  const connections = new Set<Socket>();
  running.server.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
  });
  const close = async () => {
    await running.close();
    if (!options.keepSchema) await schema?.drop();
  };
  const anonymous = new ApiClient(running.url);
  const admin = new ApiClient(running.url);
  await admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  return {
    ...running,
    logs,
    admin,
    anonymous,
    dialect,
    close,
    closeForRestart: async () => {
      const clientsClosed = [...connections].map(
        (socket) =>
          new Promise<void>((resolve) => {
            socket.once("close", () => resolve());
            socket.end();
          }),
      );
      await within(
        Promise.all(clientsClosed),
        5000,
        undefined,
        "a client kept its side of a closing server's connection open",
      );
      await close();
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A tiny fetch client that keeps a cookie session and sends the same-origin header, as the panel does. */
export class ApiClient {
  cookie = "";
  constructor(
    readonly baseUrl: string,
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  withHeaders(headers: Record<string, string>): ApiClient {
    const client = new ApiClient(this.baseUrl, { ...this.extraHeaders, ...headers });
    client.cookie = this.cookie;
    return client;
  }

  async request<T = any>(
    method: string,
    pathname: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const url = pathname.startsWith("http")
      ? pathname
      : `${this.baseUrl}${pathname.startsWith("/api") || pathname.startsWith("/healthz") || pathname.startsWith("/readyz") ? "" : "/api/v1"}${pathname}`;
    const res = await fetch(url, {
      method,
      headers: {
        origin: this.baseUrl,
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body !== undefined && typeof body !== "string" ? { "content-type": "application/json" } : {}),
        ...(typeof body === "string" ? { "content-type": "application/json" } : {}),
        ...this.extraHeaders,
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) this.cookie = setCookie.split(";")[0]!;
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get = <T = any>(p: string, headers?: Record<string, string>) =>
    this.request<T>("GET", p, undefined, headers);
  post = <T = any>(p: string, body?: unknown, headers?: Record<string, string>) =>
    this.request<T>("POST", p, body ?? {}, headers);
  put = <T = any>(p: string, body?: unknown, headers?: Record<string, string>) =>
    this.request<T>("PUT", p, body ?? {}, headers);
  patch = <T = any>(p: string, body?: unknown, headers?: Record<string, string>) =>
    this.request<T>("PATCH", p, body ?? {}, headers);
  delete = <T = any>(p: string, headers?: Record<string, string>) =>
    this.request<T>("DELETE", p, undefined, headers);

  async signIn(email: string, password: string): Promise<void> {
    const res = await this.post("/auth/login", { email, password });
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${res.text}`);
  }
}
