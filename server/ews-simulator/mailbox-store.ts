import { randomBytes } from "node:crypto";
import { FOLDER_BY_KEY, folderItems, itemCount } from "./mailbox-data";
import { makeId } from "./soap";
import type { ResolvedMailbox } from "./tenant";
import type { StoredItem, StoredPerson } from "./stored-item";

export type { StoredAttachment, StoredItem, StoredPerson } from "./stored-item";

/** What a caller gives to add or create an item. */
export interface NewItem {
  folder: string;
  kind?: "message" | "appointment";
  subject: string;
  body?: string;
  from?: StoredPerson;
  to?: StoredPerson[];
  received?: string;
  start?: string;
  end?: string;
  location?: string;
  isRead?: boolean;
  isDraft?: boolean;
  attachments?: { name: string; contentType: string; content: string }[];
}

/** The fields UpdateItem can set. */
export type ItemPatch = Partial<
  Pick<StoredItem, "subject" | "body" | "isRead" | "start" | "end" | "location">
>;

/** One change of a folder since a sync state. */
export type FolderChange =
  { kind: "create" | "update"; item: StoredItem; seq: number } | { kind: "delete"; id: string; seq: number };

interface MailboxItems {
  items: Map<string, StoredItem>;
  tombstones: { id: string; folder: string; seq: number; createdSeq: number }[];
  next: number;
}

const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The simulator's mailbox contents. A mailbox is seeded the first time it is touched, with timestamps
 * fixed at simulator start (so a new day changes nothing), and then changes only through
 * CreateItem/UpdateItem/DeleteItem or `addItem` (the control endpoint). Every change takes the next
 * sequence number of the store: a sync state is such a number.
 */
export class MailboxStore {
  private seq = 0;
  private readonly byMailbox = new Map<string, MailboxItems>();
  /** Differs per simulator run, so sync states of an earlier run are refused. */
  readonly epoch = randomBytes(6).toString("hex");

  constructor(readonly startedAt: number = Date.now()) {}

  /** The current sequence number (the sync state of "everything seen"). */
  get currentSeq(): number {
    return this.seq;
  }

  /** Forgets every stored mailbox (a new tenant). */
  clear(): void {
    this.byMailbox.clear();
  }

  private mailbox(m: ResolvedMailbox): MailboxItems {
    let box = this.byMailbox.get(m.primarySmtpAddress);
    if (box) return box;
    box = { items: new Map(), tombstones: [], next: 1000 };
    this.byMailbox.set(m.primarySmtpAddress, box);
    for (const folder of ["inbox", "calendar"]) {
      for (const [i, seed] of folderItems(m, folder, this.startedAt).entries()) {
        const seq = ++this.seq;
        const appointment = folder === "calendar";
        box.items.set(seed.id, {
          id: seed.id,
          folder,
          kind: appointment ? "appointment" : "message",
          subject: seed.subject,
          body: appointment
            ? `Agenda for ${seed.subject}.`
            : `Hello ${m.displayName}, this is ${seed.subject}.`,
          from: appointment
            ? { name: m.displayName, address: m.primarySmtpAddress }
            : { name: "Contoso News", address: "news@contoso.com" },
          to: [{ name: m.displayName, address: m.primarySmtpAddress }],
          received: appointment ? iso(this.startedAt - 86_400_000) : seed.when,
          start: appointment ? seed.when : undefined,
          end: seed.end,
          location: appointment ? "Room 1" : undefined,
          isRead: !seed.subject.endsWith(" 1"),
          isDraft: false,
          attachments:
            !appointment && i === 0
              ? [
                  {
                    id: makeId("A", m.index, seed.id, 0),
                    name: "welcome.txt",
                    contentType: "text/plain",
                    content: Buffer.from(`Welcome, ${m.displayName}.\n`).toString("base64"),
                  },
                ]
              : [],
          version: 1,
          createdSeq: seq,
          changedSeq: seq,
          lastModified: iso(this.startedAt),
        });
      }
    }
    return box;
  }

  /** Items of a folder: messages newest first, appointments by start. */
  items(m: ResolvedMailbox, folder: string): StoredItem[] {
    const all = [...this.mailbox(m).items.values()].filter((i) => i.folder === folder);
    return folder === "calendar"
      ? all.sort((a, b) => (a.start ?? "").localeCompare(b.start ?? ""))
      : all.sort((a, b) => b.received.localeCompare(a.received) || b.createdSeq - a.createdSeq);
  }

  /** How many items a folder holds, without seeding an untouched mailbox. */
  count(m: ResolvedMailbox, folder: string): number {
    if (!this.byMailbox.has(m.primarySmtpAddress)) return itemCount(m, folder);
    return this.items(m, folder).length;
  }

  /** Unread messages of a folder, without seeding an untouched mailbox. */
  unread(m: ResolvedMailbox, folder: string): number {
    if (!this.byMailbox.has(m.primarySmtpAddress)) {
      return folder === "inbox" ? Math.min(1, itemCount(m, folder)) : 0;
    }
    return this.items(m, folder).filter((i) => i.kind === "message" && !i.isRead).length;
  }

  /** An item by id, or undefined (deleted, or never existed). */
  get(m: ResolvedMailbox, id: string): StoredItem | undefined {
    return this.mailbox(m).items.get(id);
  }

  /** Adds an item as delivery or creation does; returns it. */
  add(m: ResolvedMailbox, input: NewItem): StoredItem {
    if (!FOLDER_BY_KEY.has(input.folder)) throw new RangeError(`unknown folder ${input.folder}`);
    const box = this.mailbox(m);
    const seq = ++this.seq;
    const id = makeId("I", m.index, input.folder, box.next++);
    const now = iso(Date.now());
    const item: StoredItem = {
      id,
      folder: input.folder,
      kind: input.kind ?? (input.folder === "calendar" ? "appointment" : "message"),
      subject: input.subject,
      body: input.body ?? "",
      from: input.from ?? { name: m.displayName, address: m.primarySmtpAddress },
      to: input.to ?? [{ name: m.displayName, address: m.primarySmtpAddress }],
      received: input.received ?? now,
      start: input.start,
      end: input.end,
      location: input.location,
      isRead: input.isRead ?? false,
      isDraft: input.isDraft ?? false,
      attachments: (input.attachments ?? []).map((a, n) => ({ ...a, id: makeId("A", m.index, id, n) })),
      version: 1,
      createdSeq: seq,
      changedSeq: seq,
      lastModified: now,
    };
    box.items.set(id, item);
    return item;
  }

  /** Applies a patch; the item gets a new ChangeKey. */
  update(m: ResolvedMailbox, item: StoredItem, patch: ItemPatch): StoredItem {
    Object.assign(item, patch);
    item.version += 1;
    item.changedSeq = ++this.seq;
    item.lastModified = iso(Date.now());
    this.mailbox(m).items.set(item.id, item);
    return item;
  }

  /** Removes an item, leaving a tombstone for SyncFolderItems. */
  remove(m: ResolvedMailbox, item: StoredItem): void {
    const box = this.mailbox(m);
    box.items.delete(item.id);
    box.tombstones.push({ id: item.id, folder: item.folder, seq: ++this.seq, createdSeq: item.createdSeq });
  }

  /** Moves an item to another folder (a delete in the old folder, a create in the new one). */
  move(m: ResolvedMailbox, item: StoredItem, folder: string): StoredItem {
    this.remove(m, item);
    const box = this.mailbox(m);
    const seq = ++this.seq;
    const moved: StoredItem = {
      ...item,
      id: makeId("I", m.index, folder, box.next++),
      folder,
      version: item.version + 1,
      createdSeq: seq,
      changedSeq: seq,
    };
    box.items.set(moved.id, moved);
    return moved;
  }

  /**
   * Changes of a folder after sequence number `since` (0 = everything present), oldest first:
   * items created after it are creates (whatever happened to them since), older ones changed after it
   * are updates, and items that existed then and are gone are deletes.
   */
  changesSince(m: ResolvedMailbox, folder: string, since: number): FolderChange[] {
    const box = this.mailbox(m);
    const changes: FolderChange[] = [];
    for (const item of box.items.values()) {
      if (item.folder !== folder || item.changedSeq <= since) continue;
      changes.push({ kind: item.createdSeq > since ? "create" : "update", item, seq: item.changedSeq });
    }
    if (since > 0) {
      for (const t of box.tombstones) {
        if (t.folder !== folder || t.seq <= since) continue;
        // An item created and deleted after the sync state was never seen by the client: nothing to say.
        if (t.createdSeq > since) continue;
        changes.push({ kind: "delete", id: t.id, seq: t.seq });
      }
    }
    return changes.sort((a, b) => a.seq - b.seq);
  }
}
