import { EmailAddress } from "../../contract/common";

/** A valid line of a paste: where it was and what it adds. */
export interface ParsedUserLine {
  line: number;
  address: string;
  displayName: string;
}

/** A line that can't be added, with the reason a person can act on. */
export interface InvalidUserLine {
  line: number;
  input: string;
  reason: string;
}

export interface ParsedPaste {
  entries: ParsedUserLine[];
  invalid: InvalidUserLine[];
  /** Non-blank lines other than the header: what the 10,000-line limit counts. */
  dataLines: number;
}

const MAX_DISPLAY_NAME = 256;
const MAX_INPUT_ECHO = 200;
// Header cells are compared without case, spaces, "_" or "-": "Display Name", "display_name", "E-mail".
const ADDRESS_HEADERS = new Set([
  "address",
  "email",
  "emailaddress",
  "mail",
  "smtp",
  "primarysmtpaddress",
  "userprincipalname",
  "upn",
]);
const NAME_HEADERS = new Set(["displayname", "name", "fullname"]);

/**
 * Counts the non-blank lines of a paste cheaply, before parsing it, so an oversized paste is refused early.
 * @example countNonBlankLines("a@x.com\n\nb@x.com") // 2
 */
export function countNonBlankLines(text: string): number {
  let count = 0;
  for (const line of text.split(/\r\n|\n|\r/)) if (line.trim()) count++;
  return count;
}

/**
 * Splits one line into fields: the delimiter is the first `,` or `;` outside quotes (addresses contain
 * neither); `"..."` quotes a field and `""` is a quote inside one. Returns null for an unterminated quote.
 * Hand-written rather than a CSV library because every line must be judged on its own, with its own
 * line number, and a bad line must not fail the whole paste.
 */
export function splitFields(line: string): string[] | null {
  const fields: string[] = [];
  let delimiter: string | undefined;
  let field = "";
  let quoted = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else if ((ch === "," || ch === ";") && (delimiter === undefined || ch === delimiter)) {
      delimiter = ch;
      fields.push(field.trim());
      field = "";
    } else {
      field += ch;
    }
    i++;
  }
  if (quoted) return null;
  fields.push(field.trim());
  return fields;
}

/** `John Smith <john@contoso.com>` (as Outlook copies addresses) → name and address. */
function fromNameAddr(field: string): { address: string; name?: string } {
  const match = /^(.*)<([^<>]+)>$/.exec(field.trim());
  if (!match) return { address: field };
  return {
    address: match[2].trim(),
    name:
      match[1]
        .trim()
        .replace(/^"(.*)"$/, "$1")
        .trim() || undefined,
  };
}

interface Columns {
  address: number;
  name: number | undefined;
}

function headerColumns(fields: string[]): Columns | undefined {
  const names = fields.map((f) => f.toLowerCase().replace(/[\s_-]+/g, ""));
  const address = names.findIndex((n) => ADDRESS_HEADERS.has(n));
  if (address < 0) return undefined;
  const name = names.findIndex((n) => NAME_HEADERS.has(n));
  return { address, name: name < 0 ? undefined : name };
}

/**
 * Parses pasted addresses or CSV: one user per line, `address[,displayName]` or `Name <address>`, with an
 * optional header naming the columns (`address,displayName`; comma or semicolon). A byte-order mark is
 * ignored and blank lines skipped. Line numbers count every physical line, header and blanks included,
 * so they match what the admin sees in their editor.
 * @example parseUserPaste("address;displayName\nana@contoso.com;Ana Lima").entries
 *   // [{ line: 2, address: "ana@contoso.com", displayName: "Ana Lima" }]
 */
export function parseUserPaste(text: string): ParsedPaste {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  const entries: ParsedUserLine[] = [];
  const invalid: InvalidUserLine[] = [];
  let columns: Columns = { address: 0, name: 1 };
  let seenFirst = false;
  let dataLines = 0;
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (!raw.trim()) return;
    const fields = splitFields(raw);
    if (!seenFirst) {
      seenFirst = true;
      const header = fields && !raw.includes("@") ? headerColumns(fields) : undefined;
      if (header) {
        columns = header;
        return;
      }
    }
    dataLines++;
    const input = raw.length > MAX_INPUT_ECHO ? `${raw.slice(0, MAX_INPUT_ECHO)}…` : raw;
    if (!fields) {
      invalid.push({ line, input, reason: 'A quoted field is not closed: add the missing ".' });
      return;
    }
    const cell = fields[columns.address] ?? "";
    const { address, name } = fromNameAddr(cell);
    const displayName = (
      (columns.name === undefined ? undefined : fields[columns.name]) ||
      name ||
      ""
    ).normalize("NFC");
    if (!address) {
      invalid.push({ line, input, reason: "No address on this line." });
      return;
    }
    if (!EmailAddress.safeParse(address).success) {
      invalid.push({
        line,
        input,
        reason: `"${address.length > 80 ? `${address.slice(0, 80)}…` : address}" is not an e-mail address such as user@contoso.com.`,
      });
      return;
    }
    if (displayName.length > MAX_DISPLAY_NAME) {
      invalid.push({
        line,
        input,
        reason: `The display name is longer than ${MAX_DISPLAY_NAME} characters.`,
      });
      return;
    }
    entries.push({ line, address, displayName });
  });
  return { entries, invalid, dataLines };
}
