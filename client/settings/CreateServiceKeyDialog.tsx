import { useState, type FormEvent } from "react";
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
import { ApiError, errorMessage } from "../api/client";
import { useProfiles } from "../api/profiles";
import { useCreateServiceKey } from "../api/serviceKeys";
import type { CreatedServiceKey, ServiceKeyScope } from "../api/types";
import { endOfDayIso, scopeInfo } from "./serviceKeyText";

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

const ALL_PROFILES = "";

function tomorrow(): string {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function CreateServiceKeyForm({ onClose, onCreated }: CreateServiceKeyDialogProps) {
  const styles = useStyles();
  const create = useCreateServiceKey();
  const profiles = useProfiles();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ServiceKeyScope[]>(["roster:read", "ews:read", "reports:write"]);
  const [profileId, setProfileId] = useState(ALL_PROFILES);
  const [expiresOn, setExpiresOn] = useState("");
  const fields = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  const generalError =
    create.error && !fields.name && !fields.scopes && !fields.expiresAt
      ? errorMessage(create.error)
      : undefined;
  const scopeError = fields.scopes ?? (scopes.length === 0 ? "Choose at least one scope." : undefined);
  const profileName = profiles.data?.find((p) => p.id === profileId)?.name;

  const toggleScope = (scope: ServiceKeyScope, checked: boolean) =>
    setScopes((current) =>
      offeredServiceKeyScopes.filter((s) => (s === scope ? checked : current.includes(s))),
    );

  const handleSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim() || scopes.length === 0) return;
    create.mutate(
      {
        name: name.trim(),
        scopes,
        profileId: profileId === ALL_PROFILES ? undefined : profileId,
        expiresAt: expiresOn ? endOfDayIso(expiresOn) : undefined,
      },
      { onSuccess: (key) => (onClose(), onCreated(key)) },
    );
  };

  return (
    <DialogSurface aria-describedby={undefined}>
      <form onSubmit={handleSubmit} noValidate>
        <DialogBody>
          <DialogTitle>Create service key</DialogTitle>
          <DialogContent className={styles.form}>
            <Field
              label="Name"
              required
              validationMessage={fields.name}
              hint="Which sync service holds it, for example “CRM sync (production)”."
            >
              <Input value={name} onChange={(_e, d) => setName(d.value)} maxLength={100} autoFocus />
            </Field>
            {/* Not a Field: a Field gives its one control id to every checkbox inside it. */}
            <fieldset className={styles.scopes} aria-describedby={scopeError ? "scope-error" : undefined}>
              <legend className={styles.legend}>What it may do</legend>
              {offeredServiceKeyScopes.map((scope) => (
                <div key={scope}>
                  <Checkbox
                    checked={scopes.includes(scope)}
                    onChange={(_e, d) => toggleScope(scope, d.checked === true)}
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
                value={profileId === ALL_PROFILES ? "All profiles" : (profileName ?? "")}
                selectedOptions={[profileId]}
                onOptionSelect={(_e, d) => setProfileId(d.optionValue ?? ALL_PROFILES)}
              >
                <Option value={ALL_PROFILES}>All profiles</Option>
                {(profiles.data ?? []).map((p) => (
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
                value={expiresOn}
                min={tomorrow()}
                onChange={(_e, d) => setExpiresOn(d.value)}
              />
            </Field>
            {generalError && (
              <MessageBar intent="error" role="alert">
                <MessageBarBody>{generalError}</MessageBarBody>
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
              disabled={!name.trim() || scopes.length === 0 || create.isPending}
              icon={create.isPending ? <Spinner size="tiny" /> : undefined}
            >
              Create key
            </Button>
          </DialogActions>
        </DialogBody>
      </form>
    </DialogSurface>
  );
}
