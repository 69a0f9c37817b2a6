/** One mailbox of the roster, as the sync service reads it. */
export interface RosterMailbox {
  address: string;
  profileName: string;
  accessType: string | null;
  state: string;
  syncAllowed: boolean;
  /** "ews" or "graph" when the product says which gateway to use; older servers leave it out. */
  protocol?: "ews" | "graph";
}

/** A sync session's outcome for one mailbox, as reported to the product. */
export interface MailboxSyncResult {
  address: string;
  startedAt: string;
  finishedAt: string;
  /** Items read from the mailbox (created, changed or deleted there). */
  itemsIn: number;
  /** Items written to the mailbox (this example writes none). */
  itemsOut: number;
  errors: { code: string; message: string }[];
  /** One line a person reads. */
  summary: string;
}

/** What a protocol module needs to reach one mailbox through the product. */
export interface SyncContext {
  /** The product's base URL. */
  base: string;
  /** `authorization` header with the service key. */
  auth: Record<string, string>;
  /** This mailbox's part of the state file (read and replaced by the protocol module). */
  state: Record<string, string>;
}
