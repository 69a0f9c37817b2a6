import { describe, expect, it } from "vitest";
import { displayNameWords } from "../store/users-repo";
import { parseUserPaste, splitFields } from "./user-import";

describe("parseUserPaste", () => {
  it("reads plain lines, numbering every physical line", () => {
    const parsed = parseUserPaste("a@x.com\n\n  b@x.com  \r\nc@x.com");
    expect(parsed.entries).toEqual([
      { line: 1, address: "a@x.com", displayName: "" },
      { line: 3, address: "b@x.com", displayName: "" },
      { line: 4, address: "c@x.com", displayName: "" },
    ]);
    expect(parsed.dataLines).toBe(3);
  });

  it("uses a header's column order, in any case, with extra columns", () => {
    const parsed = parseUserPaste("Display Name,State,E-mail\nAna Lima,active,ana@x.com");
    expect(parsed.entries).toEqual([{ line: 2, address: "ana@x.com", displayName: "Ana Lima" }]);
    expect(parsed.dataLines).toBe(1);
  });

  it("reports bad lines with a reason and keeps the good ones", () => {
    const parsed = parseUserPaste(
      'ok@x.com\nno at sign\n"open@x.com,Name\n,Only Name\nfine@x.com,' + "n".repeat(300),
    );
    expect(parsed.entries.map((e) => e.line)).toEqual([1]);
    expect(parsed.invalid.map((i) => [i.line, i.reason.slice(0, 12)])).toEqual([
      [2, '"no at sign"'],
      [3, "A quoted fie"],
      [4, "No address o"],
      [5, "The display "],
    ]);
  });

  it("splits on the first delimiter only and honours quotes", () => {
    expect(splitFields('a@x.com;"Doe, Jane"')).toEqual(["a@x.com", "Doe, Jane"]);
    expect(splitFields('a@x.com,"say ""hi"""')).toEqual(["a@x.com", 'say "hi"']);
    expect(splitFields("a@x.com,b;c")).toEqual(["a@x.com", "b;c"]);
    expect(splitFields('"a@x.com')).toBeNull();
  });
});

describe("displayNameWords", () => {
  it("lower-cases and splits on whitespace and punctuation", () => {
    expect(displayNameWords("Beatrice O'Neil-Smith (Sales)")).toEqual([
      "beatrice",
      "o",
      "neil",
      "smith",
      "sales",
    ]);
    expect(displayNameWords("Zoë  ÅNGSTRÖM")).toEqual(["zoë", "ångström"]);
  });
});
