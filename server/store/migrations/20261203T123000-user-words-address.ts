import { sql, type Kysely } from "kysely";
import { byteOrderText, isPostgres } from "../dialect";

/**
 * Each display-name word carries its user's lower-cased address, and the word index becomes
 * (profile_id, word, address_lower): a name-word search reads the matching addresses from the index
 * alone, sorts those few narrow keys and fetches only the page's users, instead of joining every user
 * of the profile and sorting whole rows. Backfilled in one statement on both databases.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  if (pg) {
    await db.schema
      .alterTable("user_words")
      .addColumn("address_lower", "text", (c) => byteOrderText(c, pg))
      .execute();
    await sql`update user_words w set address_lower = u.address_lower from users u where u.id = w.user_id`.execute(
      db,
    );
    await db.schema
      .alterTable("user_words")
      .alterColumn("address_lower", (c) => c.setNotNull())
      .execute();
  } else {
    // SQLite adds a NOT NULL column only with a default; every insert sets it.
    await db.schema
      .alterTable("user_words")
      .addColumn("address_lower", "text", (c) => c.notNull().defaultTo(""))
      .execute();
    await sql`update user_words set address_lower = (select u.address_lower from users u where u.id = user_words.user_id)`.execute(
      db,
    );
  }
  await db.schema
    .createIndex("user_words_profile_word_address")
    .on("user_words")
    .columns(["profile_id", "word", "address_lower"])
    .execute();
  // The new index leads with the same two columns: the old one would only cost writes.
  await db.schema.dropIndex("user_words_profile_word").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("user_words_profile_word")
    .on("user_words")
    .columns(["profile_id", "word"])
    .execute();
  await db.schema.dropIndex("user_words_profile_word_address").execute();
  await db.schema.alterTable("user_words").dropColumn("address_lower").execute();
}
