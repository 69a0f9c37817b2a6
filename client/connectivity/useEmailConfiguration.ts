import { useState } from "react";
import type { AccessType } from "../../contract/common";
import { ApiError } from "../api/client";
import { useNotify } from "../components/notify";
import { accessTypeEntry, accessTypeOptions } from "./access-types";
import { useAccessTypes, useMailboxAccess, useSaveMailboxAccess } from "./api";
import type { MailboxAccessInput } from "./types";

/**
 * The Email configuration card's state: the stored configuration with its ETag, the chosen Mailbox
 * Access Type (the stored one until another is picked) and its registry entry, and Save with If-Match
 * (a save over someone else's newer one is a conflict, with Reload).
 * @example const config = useEmailConfiguration(profileId);
 */
export function useEmailConfiguration(profileId: string) {
  const notify = useNotify();
  const access = useMailboxAccess(profileId);
  const options = accessTypeOptions(useAccessTypes().data);
  const save = useSaveMailboxAccess(profileId);
  const stored = access.data?.access ?? null;
  const [chosen, setChosen] = useState<AccessType | null>(null);
  // Remounts the form after a reload so it shows the stored values again.
  const [formKey, setFormKey] = useState(0);
  const type = chosen ?? stored?.type ?? null;
  const option = options.find((o) => o.id === type);
  // Warnings the server attached to the stored config (e.g. Basic on Exchange Online).
  const warnings = stored && type === stored.type ? stored.warnings : [];

  const saveError = save.error instanceof ApiError ? save.error : null;
  const conflict = saveError?.status === 412 || saveError?.id === "precondition_failed";
  const serverErrors = saveError && !conflict ? saveError.fieldErrors() : {};

  const choose = (id: AccessType | null) => {
    save.reset();
    setChosen(id);
  };

  const handleSave = (input: MailboxAccessInput) => {
    save.mutate(
      { input, etag: access.data?.etag ?? null },
      {
        onSuccess: () => {
          setChosen(null);
          setFormKey((k) => k + 1);
          notify.success("Mailbox access saved", "Run Test connectivity to check the service account.");
        },
        onError: (err) => {
          if (!(err instanceof ApiError && (err.status === 412 || err.id === "validation_failed"))) {
            notify.error(err, "Saving failed");
          }
        },
      },
    );
  };

  const reload = async () => {
    save.reset();
    setChosen(null);
    await access.refetch();
    setFormKey((k) => k + 1);
  };

  return {
    access,
    stored,
    options,
    type,
    option,
    /** The chosen type's registry entry (its form), or undefined for a type this build doesn't know. */
    entry: type ? accessTypeEntry(type) : undefined,
    /** Changes after a save or reload, so the form remounts with the stored values. */
    formKey: `${type}-${formKey}`,
    warnings,
    choose,
    saving: save.isPending,
    conflict,
    /** The server refused the input (shown above the form; its field errors beside the fields). */
    validationMessage:
      saveError && !conflict && saveError.id === "validation_failed" ? saveError.message : null,
    serverErrors,
    handleSave,
    reload,
  };
}
