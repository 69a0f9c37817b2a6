import { useState } from "react";
import { ApiError } from "../../api/client";
import { useNotify } from "../../components/notify";
import type { MailboxAccessView } from "../types";
import type { AppOnlyInput, StoredAppOnly } from "../useAppOnlyForm";
import { isEmailAddress } from "../validation";
import { useMigrationActions } from "./api";

/** What Move to Graph's form is given. */
export interface MigrationFormOptions {
  profileId: string;
  /** The profile's EWS access: an EWS app-only one lends its app (and credential) to the form. */
  current: MailboxAccessView;
  onStarted: () => void;
}

/**
 * Move to Graph's form state: the identity lent by an EWS app-only access, the out-of-scope mailbox,
 * what the sync needs that Graph lacks, whether the roles were just assigned, and the submit that
 * starts the dry run.
 * @example const form = useMigrationForm({ profileId, current, onStarted });
 */
export function useMigrationForm({ profileId, current, onStarted }: MigrationFormOptions) {
  const notify = useNotify();
  const { start } = useMigrationActions(profileId);
  const [outOfScopeUser, setOutOfScopeUser] = useState("");
  const [archive, setArchive] = useState(false);
  const [publicFolders, setPublicFolders] = useState(false);
  const [rolesJustAssigned, setRolesJustAssigned] = useState(false);
  // From EWS app-only the same Entra app usually serves Graph: its ids fill the form. Its credential is
  // entered again: a stored secret is bound to the host it was entered for.
  const lent: StoredAppOnly | null =
    current.type === "ews-app-only"
      ? { ...current, type: "graph-app-only", clientSecretSet: false, certificate: null }
      : null;
  const outOfScopeProblem = isEmailAddress(outOfScopeUser)
    ? undefined
    : "Enter the address of a mailbox outside the app's scope, such as ceo@contoso.com.";
  const error = start.error instanceof ApiError ? start.error : null;
  const serverErrors = error?.fieldErrors() ?? {};

  /** Starts the dry run with the app-only form's identity and this form's fields. */
  const submit = ({ type: _type, ...access }: AppOnlyInput) =>
    start.mutate(
      {
        to: "graph-app-only",
        access,
        outOfScopeUser: outOfScopeUser.trim(),
        needs: { archive, publicFolders },
        rolesJustAssigned,
      },
      {
        onSuccess: () => {
          notify.success("Dry run started", "Every user is checked through Microsoft Graph.");
          onStarted();
        },
      },
    );

  return {
    lent,
    outOfScopeUser,
    setOutOfScopeUser,
    outOfScopeProblem,
    archive,
    setArchive,
    publicFolders,
    setPublicFolders,
    rolesJustAssigned,
    setRolesJustAssigned,
    starting: start.isPending,
    /** A refusal that is not about one field (those show beside their fields). */
    error: error && error.id !== "validation_failed" ? error.message : null,
    serverErrors,
    submit,
  };
}
