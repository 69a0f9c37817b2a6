import type { MailboxAccessInput, MailboxAccessView } from "../types";

/** What the Email configuration card gives the chosen type's form. */
export interface AccessFormProps {
  profileId: string;
  /** The stored configuration (of any type: each form reads its own). */
  stored: MailboxAccessView | null;
  saving: boolean;
  /** Field errors from the server's last refusal, by field name. */
  serverErrors: Record<string, string>;
  onSave: (input: MailboxAccessInput) => void;
}
