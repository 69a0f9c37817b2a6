import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Db } from "./db-types";
import { isoNow as nowIso } from "../domain/clock";

/** A session idle this long ends (each request slides it); it ends at `maxHours` after sign-in anyway. */
const SESSION_IDLE_HOURS = 12;
const HOUR_MS = 3600_000;

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface LocalAdmin {
  id: string;
  email: string;
  createdAt: string;
}

/** Local admins and their sessions: the only SQL about them. */
export class LocalAdminRepository {
  constructor(
    private readonly db: Db,
    /** The absolute session lifetime (`SESSION_MAX_HOURS`). */
    private readonly sessionMaxHours = 12,
  ) {}

  /** When a session expires if it is seen at `now`: idle timeout, never past its absolute end. */
  private expiryOf(createdAt: number, now: number): number {
    return Math.min(now + SESSION_IDLE_HOURS * HOUR_MS, createdAt + this.sessionMaxHours * HOUR_MS);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom("localAdmins")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  list(): Promise<LocalAdmin[]> {
    return this.db
      .selectFrom("localAdmins")
      .select(["id", "email", "createdAt"])
      .orderBy("emailLower")
      .execute();
  }

  findByEmail(email: string) {
    return this.db
      .selectFrom("localAdmins")
      .selectAll()
      .where("emailLower", "=", email.toLowerCase())
      .executeTakeFirst();
  }

  findById(id: string) {
    return this.db.selectFrom("localAdmins").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async create(email: string, passwordHash: string): Promise<LocalAdmin> {
    const admin = {
      id: randomUUID(),
      email,
      emailLower: email.toLowerCase(),
      passwordHash,
      createdAt: nowIso(),
    };
    await this.db.insertInto("localAdmins").values(admin).execute();
    return { id: admin.id, email, createdAt: admin.createdAt };
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("localAdmins").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async setPassword(id: string, passwordHash: string): Promise<void> {
    await this.db.updateTable("localAdmins").set({ passwordHash }).where("id", "=", id).execute();
  }

  /** Starts a session and returns its token (only its hash is stored). */
  async createSession(adminId: string): Promise<string> {
    const token = randomBytes(32).toString("base64url");
    const now = new Date();
    await this.db
      .insertInto("sessions")
      .values({
        idHash: hashToken(token),
        adminId,
        createdAt: now.toISOString(),
        lastSeenAt: now.toISOString(),
        expiresAt: new Date(this.expiryOf(now.getTime(), now.getTime())).toISOString(),
      })
      .execute();
    return token;
  }

  /**
   * The admin behind a session token, sliding its idle expiry; undefined when unknown, idle too long or
   * older than the absolute lifetime (checked against `createdAt` too, so a shorter SESSION_MAX_HOURS
   * applies to sessions already open).
   */
  async findSession(token: string): Promise<{ admin: LocalAdmin; idHash: string } | undefined> {
    const idHash = hashToken(token);
    const row = await this.db
      .selectFrom("sessions")
      .innerJoin("localAdmins", "localAdmins.id", "sessions.adminId")
      .select([
        "localAdmins.id",
        "localAdmins.email",
        "localAdmins.createdAt",
        "sessions.expiresAt",
        "sessions.lastSeenAt",
        "sessions.createdAt as sessionCreatedAt",
      ])
      .where("sessions.idHash", "=", idHash)
      .executeTakeFirst();
    const now = Date.now();
    if (!row) return undefined;
    const createdAt = Date.parse(row.sessionCreatedAt);
    if (Date.parse(row.expiresAt) <= now || createdAt + this.sessionMaxHours * HOUR_MS <= now) {
      await this.db.deleteFrom("sessions").where("idHash", "=", idHash).execute();
      return undefined;
    }
    if (now - Date.parse(row.lastSeenAt) > 60_000) {
      await this.db
        .updateTable("sessions")
        .set({
          lastSeenAt: new Date(now).toISOString(),
          expiresAt: new Date(this.expiryOf(createdAt, now)).toISOString(),
        })
        .where("idHash", "=", idHash)
        .execute();
    }
    return { admin: { id: row.id, email: row.email, createdAt: row.createdAt }, idHash };
  }

  async endSession(token: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("idHash", "=", hashToken(token)).execute();
  }

  /** Ends every session of the admin except the one given (by hash). */
  async endOtherSessions(adminId: string, keepHash: string | undefined): Promise<number> {
    let query = this.db.deleteFrom("sessions").where("adminId", "=", adminId);
    if (keepHash) query = query.where("idHash", "!=", keepHash);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
