import { mkdirSync } from "node:fs";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";
import { CamelCasePlugin, Kysely, Migrator, SqliteDialect, type MigrationProvider } from "kysely";
import type { PoolClient } from "pg";
import type { Database } from "./schema";
import { migrations } from "./migrations";
import { isoNow } from "../domain/clock";
import { inTransaction, type UnitOfWork } from "./unit-of-work";
import { OwnSchemaPostgresDialect } from "./own-schema-dialect";

export type { Db, DialectName, Tx } from "./db-types";
import type { Db, DialectName } from "./db-types";

/** An open store: the query builder, which database it is, and how to close it. */
export interface Store {
  db: Db;
  dialect: DialectName;
  /**
   * A unit of work: `work` gets the repositories bound to one transaction, committed when it resolves.
   * @example await store.transaction(async (tx) => tx.users.pause(ids));
   */
  transaction<T>(work: (tx: UnitOfWork) => Promise<T>): Promise<T>;
  /** One cheap query; throws when the database can't answer (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** PostgreSQL connection string; absent → SQLite. */
  databaseUrl?: string;
  /** SQLite file path, or ":memory:". */
  sqliteFile?: string;
  /** PostgreSQL schema to use (tests use a fresh one per run). Created when missing. */
  pgSchema?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

/**
 * Opens the store on SQLite or PostgreSQL and runs pending migrations.
 * @example const store = await openStore({ sqliteFile: "./data/mailbox-sync.db" });
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  let db: Db;
  let dialect: DialectName;
  if (options.databaseUrl) {
    dialect = "postgres";
    // Loaded only here: an instance on SQLite doesn't carry the driver.
    const { default: pg } = await import("pg");
    // PostgreSQL returns bigint (int8) as a string by default; counts and bigserial ids fit in a JS number.
    pg.types.setTypeParser(20, (v) => Number(v));
    const schema = options.pgSchema;
    if (schema) {
      if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
      const setup = new pg.Client({ connectionString: options.databaseUrl });
      await setup.connect();
      try {
        await setup.query(`create schema if not exists "${schema}"`);
      } finally {
        await setup.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      options: schema ? `-c search_path="${schema}"` : undefined,
    });
    // A connection dropped by the server (restart, pg_terminate_backend) must not crash the process:
    // idle clients report it to the pool, clients in use to themselves (their query still fails, and the
    // pool discards them when they are released).
    pool.on("error", () => undefined);
    pool.on("connect", (client) => {
      client.on("error", () => undefined);
      prepareFrequentStatements(client);
    });
    db = new Kysely<Database>({
      dialect: new OwnSchemaPostgresDialect({ pool }),
      plugins: [new CamelCasePlugin()],
    });
  } else {
    dialect = "sqlite";
    const file = options.sqliteFile ?? ":memory:";
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
      plugins: [new CamelCasePlugin()],
    });
  }
  await migrateToLatest(db, dialect === "postgres" ? (options.pgSchema ?? "public") : undefined);
  return {
    db,
    dialect,
    transaction: (work) => inTransaction(db, work),
    ping: async () => {
      await db.selectFrom("settings").select("key").limit(1).execute();
    },
    close: () => db.destroy(),
  };
}

/**
 * Kysely prepares every query anew, and better-sqlite3's prepare costs more than most queries here
 * take to run: keep prepared statements by SQL text (the store's queries are a small, fixed set).
 */
function withStatementCache(sqlite: SqliteDatabase.Database, max = 500): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, prop) {
      if (prop !== "prepare") {
        const value = Reflect.get(target, prop, target) as unknown;
        // native methods need the real database as `this`
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      return (sql: string) => {
        let stmt = cache.get(sql);
        if (!stmt) {
          stmt = prepare(sql);
          if (cache.size >= max) cache.delete(cache.keys().next().value!);
          cache.set(sql, stmt);
        }
        return stmt;
      };
    },
  });
}

/** Runs of one SQL text after which it is prepared (named) on each connection, as JDBC drivers do. */
const PREPARE_AFTER_RUNS = 5;
/** Distinct statements ever named: the store's queries are a small, fixed set; beyond this, stay unnamed. */
const MAX_NAMED_STATEMENTS = 500;
const runsBySql = new Map<string, number>();
const nameBySql = new Map<string, string>();

/**
 * The statement name for a SQL text run often enough, or undefined. Only plain reads and writes are
 * named, and none that return `*`: a column added by a migration (another instance upgrading first)
 * makes PostgreSQL refuse a prepared `*` statement ("cached plan must not change result type").
 */
function statementName(sql: string): string | undefined {
  const known = nameBySql.get(sql);
  if (known) return known;
  if (nameBySql.size >= MAX_NAMED_STATEMENTS) return undefined;
  const runs = (runsBySql.get(sql) ?? 0) + 1;
  if (runs < PREPARE_AFTER_RUNS) {
    if (runsBySql.size >= 10 * MAX_NAMED_STATEMENTS) runsBySql.clear();
    runsBySql.set(sql, runs);
    return undefined;
  }
  runsBySql.delete(sql);
  if (
    !/^\s*(select|insert|update|delete|with)\b/i.test(sql) ||
    sql.replace(/count\(\*\)/gi, "").includes("*")
  ) {
    return undefined;
  }
  const name = `msa_${nameBySql.size + 1}`;
  nameBySql.set(sql, name);
  return name;
}

/**
 * PostgreSQL parses and plans an unnamed statement on every run; a statement run often is prepared once
 * per connection instead (`name`), which cut the database's CPU per `/me/status` query by two thirds.
 * Kysely calls `client.query(sql, parameters)`; other call shapes pass through unchanged.
 */
function prepareFrequentStatements(client: PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const named = (text: unknown, values?: unknown, callback?: unknown): unknown => {
    if (typeof text === "string" && Array.isArray(values) && callback === undefined) {
      const name = statementName(text);
      if (name) return query({ name, text, values });
    }
    return callback === undefined
      ? values === undefined
        ? query(text)
        : query(text, values)
      : query(text, values, callback);
  };
  client.query = named as typeof client.query;
}

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/**
 * Runs every pending migration; throws with the failing migration's name. On PostgreSQL the schema is
 * named, and the dialect's introspection reads only that schema (own-schema-dialect.ts), so another
 * schema's DDL at the same moment can't fail the migrator's lookups.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before any schema exists
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error");
    throw new Error(
      `migration ${failed?.migrationName ?? "?"} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Now, as the store keeps times (ISO strings), on the real clock. */
export const nowIso = (): string => isoNow();
