import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Sealer } from "./sealer";

const key = randomBytes(32).toString("base64");

/** A sealed value with its parts replaced (base64url), the rest kept. */
function withParts(sealed: string, parts: { iv?: Buffer; body?: Buffer }): string {
  const [version, keyId, iv, body] = sealed.split(".");
  return [
    version,
    keyId,
    parts.iv ? parts.iv.toString("base64url") : iv,
    parts.body ? parts.body.toString("base64url") : body,
  ].join(".");
}

describe("Sealer", () => {
  const sealer = new Sealer(key);

  it("opens what it sealed, only in the same context", () => {
    const sealed = sealer.seal("p@ssw0rd", "profile-1");
    expect(sealer.open(sealed, "profile-1")).toBe("p@ssw0rd");
    expect(() => sealer.open(sealed, "profile-2")).toThrow();
  });

  it("refuses a value too short to hold its 16-byte tag with a clear error, not a crash", () => {
    const sealed = sealer.seal("", "ctx");
    for (const length of [1, 4, 8, 12, 15]) {
      expect(() => sealer.open(withParts(sealed, { body: randomBytes(length) }), "ctx")).toThrow(
        /too short to hold its IV and authentication tag/,
      );
    }
  });

  it("refuses an IV of another length than 12 bytes", () => {
    const sealed = sealer.seal("secret", "ctx");
    for (const length of [1, 8, 16]) {
      expect(() => sealer.open(withParts(sealed, { iv: randomBytes(length) }), "ctx")).toThrow(
        /not a sealed value/,
      );
    }
  });

  it("refuses a tag cut to 4, 8 or 12 bytes (GCM would otherwise accept a short tag)", () => {
    const sealed = sealer.seal("", "ctx"); // empty plaintext: the body is the tag alone
    const tag = Buffer.from(sealed.split(".")[3], "base64url");
    expect(tag).toHaveLength(16);
    for (const length of [4, 8, 12]) {
      expect(() => sealer.open(withParts(sealed, { body: tag.subarray(0, length) }), "ctx")).toThrow(
        /too short/,
      );
    }
    expect(sealer.open(sealed, "ctx")).toBe("");
  });
});
