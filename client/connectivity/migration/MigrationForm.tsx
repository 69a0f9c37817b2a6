import {
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { AppOnlyAccessForm } from "../AppOnlyAccessForm";
import { useMigrationForm, type MigrationFormOptions } from "./useMigrationForm";

const useStyles = makeStyles({
  checks: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
});

/**
 * Move to Graph, step 1: the app-only identity for Graph (the same form as a new Graph app-only
 * access), a mailbox outside the app's scope that must be refused, what the sync needs that Graph
 * lacks, and whether the role assignments were just made. Submitting starts the dry run. State and
 * submit live in useMigrationForm.
 */
export function MigrationForm(props: MigrationFormOptions) {
  const styles = useStyles();
  const form = useMigrationForm(props);

  return (
    <>
      {form.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{form.error}</MessageBarBody>
        </MessageBar>
      ) : null}
      <AppOnlyAccessForm
        type="graph-app-only"
        stored={form.lent}
        saving={form.starting}
        serverErrors={form.serverErrors}
        submitLabel="Start dry run"
        extraValid={!form.outOfScopeProblem}
        onSave={form.submit}
      >
        <Field
          label="Out-of-scope mailbox"
          required
          hint="A mailbox the app must NOT reach: the dry run checks that Graph refuses it."
          validationMessage={
            (form.outOfScopeUser && form.outOfScopeProblem) || form.serverErrors.outOfScopeUser
          }
        >
          <Input
            value={form.outOfScopeUser}
            onChange={(_, d) => form.setOutOfScopeUser(d.value)}
            placeholder="ceo@contoso.com"
          />
        </Field>
        <div className={styles.checks} role="group" aria-label="What the sync needs">
          <Checkbox
            checked={form.archive}
            onChange={(_, d) => form.setArchive(d.checked === true)}
            label="The sync reads archive mailboxes (not in Graph v1.0)"
          />
          <Checkbox
            checked={form.publicFolders}
            onChange={(_, d) => form.setPublicFolders(d.checked === true)}
            label="The sync reads public folders (not in Graph v1.0)"
          />
          <Checkbox
            checked={form.rolesJustAssigned}
            onChange={(_, d) => form.setRolesJustAssigned(d.checked === true)}
            label="I just ran the role assignments (they take up to 2 hours to apply)"
          />
        </div>
      </AppOnlyAccessForm>
    </>
  );
}
