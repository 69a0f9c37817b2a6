import type { User } from "../../contract/users";

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

/** Users as CSV lines (no header); a user without a readable last error has empty error cells. */
export function usersToCsv(users: readonly User[]): string {
  return users
    .map((user) =>
      line([
        user.address,
        user.displayName,
        user.state,
        user.mailboxKind,
        user.lastCheckedAt,
        user.lastError?.code,
        user.lastError?.message,
      ]),
    )
    .join("");
}
