// An item of a simulated mailbox once stored (read by the XML builders, kept by the mailbox store).

/** A file attached to a stored item. */
export interface StoredAttachment {
  id: string;
  name: string;
  contentType: string;
  /** Base64. */
  content: string;
}

/** A person on an item (From, To, Organizer, attendees). */
export interface StoredPerson {
  name: string;
  address: string;
}

/** A message or calendar item as the simulator keeps it once its mailbox is touched. */
export interface StoredItem {
  id: string;
  /** Well-known folder key (`inbox`, `calendar`, `sentitems`, ...). */
  folder: string;
  kind: "message" | "appointment";
  subject: string;
  body: string;
  from: StoredPerson;
  to: StoredPerson[];
  /** Received (messages) or created (appointments), ISO with whole seconds. */
  received: string;
  start?: string;
  end?: string;
  location?: string;
  isRead: boolean;
  isDraft: boolean;
  attachments: StoredAttachment[];
  /** Bumped by every change; the ChangeKey is derived from it. */
  version: number;
  /** Store sequence numbers of creation and last change (what SyncFolderItems compares). */
  createdSeq: number;
  changedSeq: number;
  lastModified: string;
}
