import type { ServiceKeyScope } from "../../contract/sync";
import type { Db } from "./db-types";
import { parseJson } from "./json";
import type { ServiceKeyTable } from "./schema";

/** A service key's row, its scopes parsed (as stored: aliases not expanded). */
export type ServiceKeyRow = Omit<ServiceKeyTable, "scopes"> & { scopes: ServiceKeyScope[] };

const parsed = (row: ServiceKeyTable): ServiceKeyRow => ({
  ...row,
  scopes: parseJson<ServiceKeyScope[]>(row.scopes) ?? [],
});

/** Service keys: the only SQL about them. */
export class ServiceKeyRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<ServiceKeyRow[]> {
    const rows = await this.db.selectFrom("serviceKeys").selectAll().orderBy("createdAt", "desc").execute();
    return rows.map(parsed);
  }

  async find(id: string): Promise<ServiceKeyRow | undefined> {
    const row = await this.db.selectFrom("serviceKeys").selectAll().where("id", "=", id).executeTakeFirst();
    return row && parsed(row);
  }

  async findByHash(keyHash: string): Promise<ServiceKeyRow | undefined> {
    const row = await this.db
      .selectFrom("serviceKeys")
      .selectAll()
      .where("keyHash", "=", keyHash)
      .executeTakeFirst();
    return row && parsed(row);
  }

  async insert(row: ServiceKeyRow): Promise<void> {
    await this.db
      .insertInto("serviceKeys")
      .values({ ...row, scopes: JSON.stringify(row.scopes) })
      .execute();
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
