import type { Kysely } from "kysely";
import type { Database, ServiceKeyTable } from "../store/schema";

export type ServiceKeyRow = ServiceKeyTable;

/** Service keys: the only SQL about them. */
export class ServiceKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  list(): Promise<ServiceKeyRow[]> {
    return this.db.selectFrom("serviceKeys").selectAll().orderBy("createdAt", "desc").execute();
  }

  find(id: string): Promise<ServiceKeyRow | undefined> {
    return this.db.selectFrom("serviceKeys").selectAll().where("id", "=", id).executeTakeFirst();
  }

  findByHash(keyHash: string): Promise<ServiceKeyRow | undefined> {
    return this.db.selectFrom("serviceKeys").selectAll().where("keyHash", "=", keyHash).executeTakeFirst();
  }

  async insert(row: ServiceKeyRow): Promise<void> {
    await this.db.insertInto("serviceKeys").values(row).execute();
  }

  async revoke(id: string, at: string): Promise<void> {
    await this.db
      .updateTable("serviceKeys")
      .set({ revokedAt: at })
      .where("id", "=", id)
      .where("revokedAt", "is", null)
      .execute();
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.updateTable("serviceKeys").set({ lastUsedAt: at }).where("id", "=", id).execute();
  }
}
