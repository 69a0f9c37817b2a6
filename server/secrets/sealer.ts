import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const VERSION = "v1";
/** AES-GCM's nonce and tag sizes: every sealed value carries exactly these. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface Key {
  id: string;
  bytes: Buffer;
}

function toKey(base64: string): Key {
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length !== 32) throw new Error("secret keys must be 32 bytes");
  return { id: createHash("sha256").update(bytes).digest("hex").slice(0, 8), bytes };
}

/**
 * Seals secrets with AES-256-GCM. Each sealed value names the key that sealed it, so older keys
 * (`SECRET_KEY_PREVIOUS`) still open values while they are re-sealed with the current key.
 * The optional context (a profile id, say) is authenticated data: a value moved to another row won't open.
 * @example const sealed = sealer.seal("p@ssw0rd", profileId); sealer.open(sealed, profileId);
 */
export class Sealer {
  private readonly current: Key;
  private readonly byId: Map<string, Key>;

  constructor(currentKey: string, previousKeys: string[] = []) {
    this.current = toKey(currentKey);
    this.byId = new Map([this.current, ...previousKeys.map(toKey)].map((k) => [k.id, k]));
  }

  /** Identifies the current key without revealing it. */
  get keyId(): string {
    return this.current.id;
  }

  seal(plaintext: string, context = ""): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.current.bytes, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, this.current.id, iv.toString("base64url"), body.toString("base64url")].join(".");
  }

  open(sealed: string, context = ""): string {
    const [version, keyId, ivText, bodyText] = sealed.split(".");
    if (version !== VERSION || !keyId || !ivText || !bodyText) throw new Error("not a sealed value");
    const key = this.byId.get(keyId);
    if (!key) throw new Error(`sealed with an unknown key (${keyId}); add it to SECRET_KEY_PREVIOUS`);
    const iv = Buffer.from(ivText, "base64url");
    const body = Buffer.from(bodyText, "base64url");
    // A truncated tag would let a shortened value authenticate with far fewer than 128 bits: refuse it.
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) {
      throw new Error("not a sealed value: too short to hold its IV and authentication tag");
    }
    const decipher = createDecipheriv("aes-256-gcm", key.bytes, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]).toString("utf8");
  }

  /** True when the value was sealed with an older key and should be sealed again. */
  isStale(sealed: string): boolean {
    return sealed.split(".")[1] !== this.current.id;
  }
}

/**
 * The key to seal with: `SECRET_KEY`, or (SQLite only) one generated once into `DATA_DIR/secret.key`.
 * Returns whether it was generated, so the caller can warn.
 */
export function resolveSecretKey(
  secretKey: string | undefined,
  dataDir: string,
): { key: string; generated: boolean } {
  if (secretKey) return { key: secretKey, generated: false };
  const file = path.join(dataDir, "secret.key");
  if (existsSync(file)) return { key: readFileSync(file, "utf8").trim(), generated: false };
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString("base64");
  writeFileSync(file, key + "\n", { mode: 0o600 });
  return { key, generated: true };
}
