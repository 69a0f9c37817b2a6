/**
 * Parses a stored JSON column (last errors, sync errors, audit snapshots); null or empty stays null.
 * A value that isn't JSON answers null, or itself with `invalid: "raw"` (audit shows what was stored).
 * @example parseJson<MailboxError>(row.lastError)
 */
export function parseJson<T>(value: string | null, invalid: "null" | "raw" = "null"): T | null {
  if (!value) return invalid === "raw" && value === "" ? (value as T) : null;
  try {
    return JSON.parse(value) as T;
  } catch {
    return invalid === "raw" ? (value as T) : null;
  }
}
