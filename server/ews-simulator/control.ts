import { z } from "zod";
import type { MailboxStore, NewItem, StoredItem } from "./mailbox-store";
import { itemChangeKey } from "./mailbox-data";
import type { TenantIndex } from "./tenant";

const person = z.object({ name: z.string().min(1).max(200), address: z.email() }).strict();

/** Body of `POST /_control/mailboxes/:address/items`. */
export const newItemSchema = z
  .object({
    folder: z.enum(["inbox", "calendar", "sentitems", "drafts", "deleteditems"]).default("inbox"),
    subject: z.string().min(1).max(255),
    body: z.string().max(100_000).optional(),
    from: person.optional(),
    received: z.iso.datetime().optional(),
    start: z.iso.datetime().optional(),
    end: z.iso.datetime().optional(),
    location: z.string().max(255).optional(),
    isRead: z.boolean().optional(),
    attachments: z
      .array(
        z.object({ name: z.string().min(1), contentType: z.string().min(1), content: z.base64() }).strict(),
      )
      .max(10)
      .optional(),
  })
  .strict()
  .refine((i) => i.folder !== "calendar" || (i.start !== undefined && i.end !== undefined), {
    message: "a calendar item needs start and end",
  });

/** What the control endpoint answers for an added item. */
export interface AddedItem {
  id: string;
  changeKey: string;
  folder: string;
  subject: string;
}

/** Thrown for a control request the simulator refuses (answered 400 / 404). */
export class ControlError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Adds an item to a mailbox while the simulator runs (a mail arriving, a meeting booked), so an
 * incremental sync has something new to find.
 * @example addMailboxItem(index, store, "alex.vance@contoso.com", { subject: "Quote" })
 */
export function addMailboxItem(
  index: TenantIndex,
  store: MailboxStore,
  address: string,
  input: unknown,
): AddedItem {
  const mailbox = index.byAddress.get(address.trim().toLowerCase());
  if (!mailbox) throw new ControlError(404, `No mailbox ${address} in the tenant.`);
  const parsed = newItemSchema.safeParse(input);
  if (!parsed.success) {
    throw new ControlError(
      400,
      parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
    );
  }
  const iso = (v: string | undefined) =>
    v ? new Date(v).toISOString().replace(/\.\d{3}Z$/, "Z") : undefined;
  const data = parsed.data;
  const item: NewItem = {
    ...data,
    received: iso(data.received),
    start: iso(data.start),
    end: iso(data.end),
    kind: data.folder === "calendar" ? "appointment" : "message",
    from: data.from ? { name: data.from.name, address: data.from.address.toLowerCase() } : undefined,
  };
  return present(store.add(mailbox, item));
}

function present(item: StoredItem): AddedItem {
  return { id: item.id, changeKey: itemChangeKey(item), folder: item.folder, subject: item.subject };
}
