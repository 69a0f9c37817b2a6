import { hash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type {
  CreateServiceKeyBody,
  CreatedServiceKey,
  ServiceKey,
  ServiceKeyScope,
} from "../../contract/sync";
import { effectiveScopes } from "../../contract/sync";
import type { Principal } from "../auth/principal";
import { AppError, notFound, validationFailed } from "../errors";
import { recordAudit } from "../services/audit";
import { isoNow, systemClock, type Clock } from "../domain/clock";
import type { ServiceKeyRow } from "../store/service-keys-repo";
import type { StoreAccess } from "../store/unit-of-work";

export const SERVICE_KEY_PREFIX = "msk_";
const hashKey = (key: string) => hash("sha256", key, "hex");

/** A service key after authentication: what it may do and for which profile. */
export interface ServiceKeyIdentity {
  id: string;
  name: string;
  /** Its scopes with aliases expanded (`effectiveScopes`). */
  scopes: ServiceKeyScope[];
  profileId: string | null;
}

function present(row: ServiceKeyRow): ServiceKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    profileId: row.profileId,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

/**
 * How long a successful authentication is remembered (by the key's hash), so that the sync service's
 * calls don't each read the key's row. A key revoked through this instance is refused at once; one
 * revoked through another instance (or whose profile was deleted there) is refused here within this time.
 * Expiry is checked on every call.
 */
export const SERVICE_KEY_CACHE_MS = 10_000;
const SERVICE_KEY_CACHE_SIZE = 1000;

interface KnownKey {
  identity: ServiceKeyIdentity;
  /** Epoch ms after which the key has expired; Infinity when it never does. */
  expiresAt: number;
  /** Epoch ms until which this entry may be used without reading the row again. */
  until: number;
}

/**
 * Keys the sync service presents on /api/v1/sync. A key is shown once at creation and stored only as
 * its SHA-256 (it has 256 bits of entropy, so a slow hash adds nothing).
 */
export class ServiceKeyService {
  /** Last-used times are written at most once a minute per key, so the hot path stays read-only. */
  private readonly touchedAt = new Map<string, number>();
  /** Recently authenticated keys by hash (see SERVICE_KEY_CACHE_MS). */
  private readonly known = new Map<string, KnownKey>();

  constructor(
    private readonly store: StoreAccess,
    /** What key expiry and the cache are judged by (tests move it). */
    private readonly clock: Clock = systemClock,
  ) {}

  async list(): Promise<ServiceKey[]> {
    return (await this.store.repos.serviceKeys.list()).map(present);
  }

  async create(actor: Principal, body: CreateServiceKeyBody): Promise<CreatedServiceKey> {
    const key = `${SERVICE_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
    const row: ServiceKeyRow = {
      id: randomUUID(),
      name: body.name,
      keyHash: hashKey(key),
      prefix: key.slice(0, 10),
      scopes: [...new Set(body.scopes)],
      profileId: body.profileId ?? null,
      expiresAt: body.expiresAt ? new Date(body.expiresAt).toISOString() : null,
      createdAt: isoNow(this.clock),
      createdBy: actor.name,
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.store.transaction(async (tx) => {
      if (row.profileId && !(await tx.profiles.find(row.profileId))) {
        throw validationFailed("profileId: no such profile", [
          { path: "profileId", message: "no such profile" },
        ]);
      }
      await tx.serviceKeys.insert(row);
      await recordAudit(tx, {
        actor,
        action: "service_key.create",
        profileId: row.profileId,
        target: row.name,
        after: { name: row.name, scopes: body.scopes, prefix: row.prefix, expiresAt: row.expiresAt },
      });
    });
    return { ...present(row), key };
  }

  async revoke(actor: Principal, id: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const row = await tx.serviceKeys.find(id);
      if (!row) throw notFound("Service key not found.");
      await tx.serviceKeys.revoke(id, isoNow(this.clock));
      await recordAudit(tx, {
        actor,
        action: "service_key.revoke",
        profileId: row.profileId,
        target: row.name,
      });
    });
    for (const [hash, entry] of this.known) if (entry.identity.id === id) this.known.delete(hash);
  }

  /**
   * The identity behind a presented key, or a 401 that says why (unknown, revoked, expired).
   * @example const id = await keys.authenticate(token); if (!id.scopes.includes("roster:read")) ...
   */
  async authenticate(presented: string): Promise<ServiceKeyIdentity> {
    const refused = (why: string) => new AppError(401, "invalid_service_key", why);
    if (!presented.startsWith(SERVICE_KEY_PREFIX)) {
      throw refused(
        "This endpoint takes a service key (Authorization: Bearer msk_...). Admin sessions and tokens are not accepted here.",
      );
    }
    const hash = hashKey(presented);
    const now = this.clock.now();
    const cached = this.known.get(hash);
    const entry = cached && cached.until > now ? cached : await this.lookup(hash, now, refused);
    if (entry.expiresAt <= now) {
      throw refused("This service key has expired. Ask a platform admin for a new one.");
    }
    const { identity } = entry;
    if (now - (this.touchedAt.get(identity.id) ?? 0) > 60_000) {
      this.touchedAt.set(identity.id, now);
      await this.store.repos.serviceKeys.touch(identity.id, new Date(now).toISOString());
    }
    return identity;
  }

  /** Reads a key's row by hash; remembers it (see SERVICE_KEY_CACHE_MS) unless it has expired. */
  private async lookup(hash: string, now: number, refused: (why: string) => AppError): Promise<KnownKey> {
    this.known.delete(hash);
    const row = await this.store.repos.serviceKeys.findByHash(hash);
    if (!row || !timingSafeEqual(Buffer.from(row.keyHash), Buffer.from(hash))) {
      throw refused("This service key is not known.");
    }
    if (row.revokedAt) throw refused("This service key was revoked. Ask a platform admin for a new one.");
    const identity = Object.freeze({
      id: row.id,
      name: row.name,
      // Aliases expanded here, once per cache entry: an `ews:proxy` key checks as `ews:read` + `ews:write`.
      scopes: effectiveScopes(row.scopes),
      profileId: row.profileId,
    });
    const entry: KnownKey = {
      identity,
      expiresAt: row.expiresAt ? Date.parse(row.expiresAt) : Infinity,
      until: now + SERVICE_KEY_CACHE_MS,
    };
    if (entry.expiresAt > now) {
      if (this.known.size >= SERVICE_KEY_CACHE_SIZE) this.known.delete(this.known.keys().next().value!);
      this.known.set(hash, entry);
    }
    return entry;
  }
}
