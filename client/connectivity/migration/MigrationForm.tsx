import {
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { EmailAddress } from "../../../contract/common";
import { ApiError } from "../../api/client";
import { useNotify } from "../../components/notify";
import { AppOnlyAccessForm } from "../AppOnlyAccessForm";
import type { MailboxAccessView } from "../types";
import { useMigrationActions } from "./api";

const useStyles = makeStyles({
  checks: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
});

interface Props {
  profileId: string;
  /** The profile's EWS access: an EWS app-only one lends its app (and credential) to the form. */
  current: MailboxAccessView;
  onStarted: () => void;
}

/**
 * Move to Graph, step 1: the app-only identity for Graph (the same form as a new Graph app-only
 * access), a mailbox outside the app's scope that must be refused, what the sync needs that Graph
 * lacks, and whether the role assignments were just made. Submitting starts the dry run.
 */
export function MigrationForm({ profileId, current, onStarted }: Props) {
  const styles = useStyles();
  const notify = useNotify();
  const { start } = useMigrationActions(profileId);
  const [outOfScopeUser, setOutOfScopeUser] = useState("");
  const [archive, setArchive] = useState(false);
  const [publicFolders, setPublicFolders] = useState(false);
  const [rolesJustAssigned, setRolesJustAssigned] = useState(false);
  // From EWS app-only the same Entra app usually serves Graph: its ids fill the form. Its credential is
  // entered again: a stored secret is bound to the host it was entered for.
  const lent =
    current.type === "ews-app-only"
      ? { ...current, type: "graph-app-only" as const, clientSecretSet: false, certificate: null }
      : null;
  const outOfScopeProblem = EmailAddress.safeParse(outOfScopeUser).success
    ? undefined
    : "Enter the address of a mailbox outside the app's scope, such as ceo@contoso.com.";
  const error = start.error instanceof ApiError ? start.error : null;
  const serverErrors = error?.fieldErrors() ?? {};

  return (
    <>
      {error && error.id !== "validation_failed" ? (
        <MessageBar intent="error">
          <MessageBarBody>{error.message}</MessageBarBody>
        </MessageBar>
      ) : null}
      <AppOnlyAccessForm
        type="graph-app-only"
        stored={lent}
        saving={start.isPending}
        serverErrors={serverErrors}
        submitLabel="Start dry run"
        extraValid={!outOfScopeProblem}
        onSave={({ type: _type, ...access }) =>
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
          )
        }
      >
        <Field
          label="Out-of-scope mailbox"
          required
          hint="A mailbox the app must NOT reach: the dry run checks that Graph refuses it."
          validationMessage={(outOfScopeUser && outOfScopeProblem) || serverErrors.outOfScopeUser}
        >
          <Input
            value={outOfScopeUser}
            onChange={(_, d) => setOutOfScopeUser(d.value)}
            placeholder="ceo@contoso.com"
          />
        </Field>
        <div className={styles.checks} role="group" aria-label="What the sync needs">
          <Checkbox
            checked={archive}
            onChange={(_, d) => setArchive(d.checked === true)}
            label="The sync reads archive mailboxes (not in Graph v1.0)"
          />
          <Checkbox
            checked={publicFolders}
            onChange={(_, d) => setPublicFolders(d.checked === true)}
            label="The sync reads public folders (not in Graph v1.0)"
          />
          <Checkbox
            checked={rolesJustAssigned}
            onChange={(_, d) => setRolesJustAssigned(d.checked === true)}
            label="I just ran the role assignments (they take up to 2 hours to apply)"
          />
        </div>
      </AppOnlyAccessForm>
    </>
  );
}
