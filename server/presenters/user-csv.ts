import type { MailboxError } from "../../contract/common";
import type { UserRow } from "../store/users-repo";

/** The columns of the users export, in order. */
export const USER_CSV_HEADER = [
  "address",
  "displayName",
  "state",
  "mailboxKind",
  "lastCheckedAt",
  "lastErrorCode",
  "lastErrorMessage",
];

/**
 * One CSV cell: quoted when needed, and a leading `=`, `+`, `-`, `@` (or tab/CR) prefixed with `'` so a
 * spreadsheet never runs a cell as a formula (CSV injection).
 * @example csvCell("=HYPERLINK(...)") // "'=HYPERLINK(...)"
 */
export function csvCell(value: string | null | undefined): string {
  let text = value ?? "";
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const line = (cells: (string | null | undefined)[]) => `${cells.map(csvCell).join(",")}\r\n`;

/** The header line of the export. */
export const userCsvHeader = () => line(USER_CSV_HEADER);

/** Users as CSV lines (no header). */
export function usersToCsv(rows: UserRow[]): string {
  return rows
    .map((row) => {
      let error: Partial<MailboxError> = {};
      try {
        error = row.lastError ? (JSON.parse(row.lastError) as MailboxError) : {};
      } catch {
        // an unreadable stored error exports as empty cells
      }
      return line([
        row.address,
        row.displayName,
        row.state,
        row.mailboxKind,
        row.lastCheckedAt,
        error.code,
        error.message,
      ]);
    })
    .join("");
}
