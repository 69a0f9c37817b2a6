/**
 * A digest of every table's rows (both databases), to prove a refused request changed nothing.
 * Columns that a request may touch without changing anything a person would call data (a session's
 * last-seen time, a service key's last use) are left out.
 */
import { createHash } from "node:crypto";
import type { Store } from "../factories/store";
import { storeTables, tableRows } from "../factories/tables";

/**
 * Tables whose writes are the point of a refusal: the sign-in limiter counts refused attempts too
 * (that is how it stops guessing), so its counters are not data a refused request may not touch.
 */
const IGNORED_TABLES = new Set(["rate_limits"]);

/** Columns that legitimately move on any authenticated request, by table (snake_case). */
const VOLATILE: Record<string, string[]> = {
  sessions: ["lastSeenAt", "expiresAt"],
  service_keys: ["lastUsedAt"],
};

/** Every table of the store (SQLite: the file's tables; PostgreSQL: the current schema's). */
export async function tableNames(store: Store): Promise<string[]> {
  return (await storeTables(store)).filter((name) => !IGNORED_TABLES.has(name));
}

/** Rows of every table as sorted JSON lines, by table name. */
export async function storeSnapshot(store: Store): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const table of await tableNames(store)) {
    const rows = await tableRows(store, table);
    const skip = VOLATILE[table] ?? [];
    snapshot[table] = rows
      .map((row) =>
        JSON.stringify(
          Object.entries(row)
            .filter(([k]) => !skip.includes(k))
            .sort(([a], [b]) => (a < b ? -1 : 1)),
          (_k, v: unknown) =>
            typeof v === "bigint"
              ? String(v)
              : v instanceof Date
                ? v.toISOString()
                : Buffer.isBuffer(v)
                  ? v.toString("base64")
                  : v,
        ),
      )
      .sort();
  }
  return snapshot;
}

/** SHA-256 of the whole snapshot. */
export async function storeDigest(store: Store): Promise<string> {
  return createHash("sha256")
    .update(JSON.stringify(await storeSnapshot(store)))
    .digest("hex");
}

/** The tables whose rows differ between two snapshots (to say what a refused request changed). */
export function changedTables(before: Record<string, string[]>, after: Record<string, string[]>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((t) => JSON.stringify(before[t]) !== JSON.stringify(after[t]));
}
