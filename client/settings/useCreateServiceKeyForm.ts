import { useState, type FormEvent } from "react";
import { offeredServiceKeyScopes } from "../../contract/sync";
import { ApiError, errorMessage } from "../api/client";
import { useProfiles } from "../api/profiles";
import { useCreateServiceKey } from "../api/serviceKeys";
import type { CreatedServiceKey, ServiceKeyScope } from "../api/types";
import { endOfDayIso } from "./serviceKeyText";

/** The profile dropdown's value for a key that reaches every profile. */
export const ALL_PROFILES = "";

/** The scopes a new key starts with: what a sync service needs to read the roster and mail and report. */
const DEFAULT_SCOPES: ServiceKeyScope[] = ["roster:read", "ews:read", "reports:write"];

/**
 * The Create service key form's state: name, scopes (kept in the offered order), an optional profile
 * and expiry date; their problems and the server's refusal; and the submit.
 * @example const form = useCreateServiceKeyForm({ onClose, onCreated });
 */
export function useCreateServiceKeyForm({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (key: CreatedServiceKey) => void;
}) {
  const create = useCreateServiceKey();
  const profiles = useProfiles();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ServiceKeyScope[]>(DEFAULT_SCOPES);
  const [profileId, setProfileId] = useState(ALL_PROFILES);
  const [expiresOn, setExpiresOn] = useState("");
  const fields = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  const generalError =
    create.error && !fields.name && !fields.scopes && !fields.expiresAt
      ? errorMessage(create.error)
      : undefined;
  const scopeError = fields.scopes ?? (scopes.length === 0 ? "Choose at least one scope." : undefined);
  const profileName = profiles.data?.find((p) => p.id === profileId)?.name;
  const valid = Boolean(name.trim()) && scopes.length > 0;

  const toggleScope = (scope: ServiceKeyScope, checked: boolean) =>
    setScopes((current) =>
      offeredServiceKeyScopes.filter((s) => (s === scope ? checked : current.includes(s))),
    );

  const handleSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
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

  return {
    name,
    setName,
    scopes,
    toggleScope,
    profileId,
    setProfileId: (id: string | undefined) => setProfileId(id ?? ALL_PROFILES),
    /** The dropdown's text: "All profiles" or the chosen profile's name. */
    profileLabel: profileId === ALL_PROFILES ? "All profiles" : (profileName ?? ""),
    profiles: profiles.data ?? [],
    expiresOn,
    setExpiresOn,
    fields,
    scopeError,
    generalError,
    valid,
    pending: create.isPending,
    handleSubmit,
  };
}
