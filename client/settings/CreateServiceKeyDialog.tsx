import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Option,
  Spinner,
  Text,
  tokens,
} from "@fluentui/react-components";
import { offeredServiceKeyScopes } from "../../contract/sync";
import type { CreatedServiceKey } from "../api/types";
import { scopeInfo } from "./serviceKeyText";
import { ALL_PROFILES, useCreateServiceKeyForm } from "./useCreateServiceKeyForm";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  scopes: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    border: "none",
    margin: 0,
    padding: 0,
  },
  legend: { padding: 0, marginBottom: tokens.spacingVerticalXS, fontWeight: tokens.fontWeightSemibold },
  error: { color: tokens.colorPaletteRedForeground1 },
  scopeHint: {
    display: "block",
    color: tokens.colorNeutralForeground3,
    marginLeft: "32px",
    marginTop: `calc(-1 * ${tokens.spacingVerticalXS})`,
  },
});

/** Props of CreateServiceKeyDialog. */
export interface CreateServiceKeyDialogProps {
  open: boolean;
  onClose: () => void;
  /** Called with the created key, whose `key` must be shown now: it is never sent again. */
  onCreated: (key: CreatedServiceKey) => void;
}

/** Asks for a key's name, scopes, optional profile restriction and optional expiry, then creates it. */
export function CreateServiceKeyDialog(props: CreateServiceKeyDialogProps) {
  return (
    <Dialog open={props.open} onOpenChange={(_e, d) => !d.open && props.onClose()}>
      {/* The surface unmounts while closed, so each opening starts with fresh fields. */}
      <CreateServiceKeyForm {...props} />
    </Dialog>
  );
}

function tomorrow(): string {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** The form inside the dialog: markup over useCreateServiceKeyForm. */
function CreateServiceKeyForm({ onClose, onCreated }: CreateServiceKeyDialogProps) {
  const styles = useStyles();
  const form = useCreateServiceKeyForm({ onClose, onCreated });
  const { fields, scopeError } = form;

  return (
    <DialogSurface aria-describedby={undefined}>
      <form onSubmit={form.handleSubmit} noValidate>
        <DialogBody>
          <DialogTitle>Create service key</DialogTitle>
          <DialogContent className={styles.form}>
            <Field
              label="Name"
              required
              validationMessage={fields.name}
              hint="Which sync service holds it, for example “CRM sync (production)”."
            >
              <Input
                value={form.name}
                onChange={(_e, d) => form.setName(d.value)}
                maxLength={100}
                autoFocus
              />
            </Field>
            {/* Not a Field: a Field gives its one control id to every checkbox inside it. */}
            <fieldset className={styles.scopes} aria-describedby={scopeError ? "scope-error" : undefined}>
              <legend className={styles.legend}>What it may do</legend>
              {offeredServiceKeyScopes.map((scope) => (
                <div key={scope}>
                  <Checkbox
                    checked={form.scopes.includes(scope)}
                    onChange={(_e, d) => form.toggleScope(scope, d.checked === true)}
                    label={scopeInfo[scope].label}
                    aria-describedby={`scope-hint-${scope.replace(":", "-")}`}
                  />
                  <Text size={200} id={`scope-hint-${scope.replace(":", "-")}`} className={styles.scopeHint}>
                    {scopeInfo[scope].description}
                  </Text>
                </div>
              ))}
              {scopeError && (
                <Text id="scope-error" size={200} className={styles.error} role="alert">
                  {scopeError}
                </Text>
              )}
            </fieldset>
            <Field
              label="Profiles"
              hint="Restrict the key to one profile's mailboxes, or let it reach all of them."
              validationMessage={fields.profileId}
            >
              <Dropdown
                value={form.profileLabel}
                selectedOptions={[form.profileId]}
                onOptionSelect={(_e, d) => form.setProfileId(d.optionValue)}
              >
                <Option value={ALL_PROFILES}>All profiles</Option>
                {form.profiles.map((p) => (
                  <Option key={p.id} value={p.id}>
                    {p.name}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            <Field
              label="Expires on"
              hint="Optional. Leave empty for a key that works until it is revoked."
              validationMessage={fields.expiresAt}
            >
              <Input
                type="date"
                value={form.expiresOn}
                min={tomorrow()}
                onChange={(_e, d) => form.setExpiresOn(d.value)}
              />
            </Field>
            {form.generalError && (
              <MessageBar intent="error" role="alert">
                <MessageBarBody>{form.generalError}</MessageBarBody>
              </MessageBar>
            )}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              appearance="primary"
              disabled={!form.valid || form.pending}
              icon={form.pending ? <Spinner size="tiny" /> : undefined}
            >
              Create key
            </Button>
          </DialogActions>
        </DialogBody>
      </form>
    </DialogSurface>
  );
}
