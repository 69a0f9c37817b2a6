import type { AccessFormProps } from "../access-types/types";
import { AppOnlyAccessForm } from "../AppOnlyAccessForm";
import type { AppOnlyType } from "../useAppOnlyForm";
import { SetupScriptPanel } from "./SetupScriptPanel";

/** An app-only type's form and, once it is stored, the PowerShell that scopes its app. */
function AppOnlyTypeForm({
  type,
  stored,
  saving,
  serverErrors,
  onSave,
}: AccessFormProps & { type: AppOnlyType }) {
  return (
    <>
      <AppOnlyAccessForm
        type={type}
        stored={stored}
        saving={saving}
        serverErrors={serverErrors}
        onSave={onSave}
      />
      {stored?.type === type && typeof stored.setupScript === "string" ? (
        <SetupScriptPanel script={stored.setupScript} />
      ) : null}
    </>
  );
}

/** Microsoft 365 app-only (EWS API). */
export function EwsAppOnlyForm(props: AccessFormProps) {
  return <AppOnlyTypeForm type="ews-app-only" {...props} />;
}

/** Microsoft 365 app-only (Graph API). */
export function GraphAppOnlyForm(props: AccessFormProps) {
  return <AppOnlyTypeForm type="graph-app-only" {...props} />;
}
