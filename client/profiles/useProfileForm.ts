import { useState, type FormEvent } from "react";
import type { Profile } from "../../contract/profiles";
import { ApiError, errorMessage } from "../api/client";
import { useCreateProfile, useUpdateProfile } from "../api/profiles";
import { useNotify } from "../components/notify";
import { wholeNumberError } from "../components/wholeNumber";

/** The contract's limits (contract/profiles.ts UpdateProfileBody). */
export const MAX_STALLED_AFTER_HOURS = 720;
/** Exchange's limit of concurrent connections per account. */
const MAX_CONCURRENCY = 27;

/** The fields a refusal can name beside them; any other refusal shows under the name. */
const FORM_FIELDS = ["name", "description", "stalledAfterHours", "stalledAlertPercent"];

/** What the profile form is given: a profile to edit, or none to create one. */
export interface ProfileFormOptions {
  profile?: Profile;
  onClose: () => void;
  onCreated?: (p: Profile) => void;
}

/**
 * The create / edit profile form's state: name and description, and when editing the concurrency
 * (clamped to 1-27) and the stalled-sync threshold and alert share; their problems, the server's
 * refusal, and the submit (POST to create, PATCH to edit).
 * @example const form = useProfileForm({ profile, onClose, onCreated });
 */
export function useProfileForm({ profile, onClose, onCreated }: ProfileFormOptions) {
  const create = useCreateProfile();
  const update = useUpdateProfile();
  const notify = useNotify();
  const [name, setName] = useState(profile?.name ?? "");
  const [description, setDescription] = useState(profile?.description ?? "");
  const [concurrency, setConcurrency] = useState(profile?.maxConcurrentConnections ?? 10);
  const [stalledHours, setStalledHours] = useState(String(profile?.stalledAfterHours ?? 24));
  const [stalledPercent, setStalledPercent] = useState(String(profile?.stalledAlertPercent ?? 10));
  const mutation = profile ? update : create;
  const fields = mutation.error instanceof ApiError ? mutation.error.fieldErrors() : {};
  const stalledHoursError = profile
    ? wholeNumberError(stalledHours, 1, MAX_STALLED_AFTER_HOURS, "hours")
    : undefined;
  const stalledPercentError = profile ? wholeNumberError(stalledPercent, 1, 100, "percent") : undefined;
  const invalid = !name.trim() || stalledHoursError !== undefined || stalledPercentError !== undefined;
  const generalError =
    mutation.error && !Object.keys(fields).some((k) => FORM_FIELDS.includes(k))
      ? errorMessage(mutation.error)
      : undefined;

  /** The spin button's value (or what was typed), rounded and kept within 1-27. */
  const changeConcurrency = (value: number | null | undefined, displayValue?: string) => {
    const next = value ?? Number(displayValue);
    if (Number.isFinite(next)) setConcurrency(Math.min(MAX_CONCURRENCY, Math.max(1, Math.round(next))));
  };

  const handleSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (invalid) return;
    if (profile) {
      update.mutate(
        {
          id: profile.id,
          patch: {
            name: name.trim(),
            description: description.trim(),
            maxConcurrentConnections: concurrency,
            stalledAfterHours: Number(stalledHours),
            stalledAlertPercent: Number(stalledPercent),
          },
        },
        { onSuccess: () => (notify.success("Profile saved"), onClose()) },
      );
    } else {
      create.mutate(
        { name: name.trim(), description: description.trim() || undefined },
        {
          onSuccess: (p) => (
            notify.success("Profile created", `Add users to ${p.name} next.`),
            onClose(),
            onCreated?.(p)
          ),
        },
      );
    }
  };

  return {
    editing: profile !== undefined,
    name,
    setName,
    description,
    setDescription,
    concurrency,
    changeConcurrency,
    stalledHours,
    setStalledHours,
    stalledPercent,
    setStalledPercent,
    problems: {
      name: fields.name ?? generalError,
      description: fields.description,
      stalledAfterHours: fields.stalledAfterHours ?? stalledHoursError,
      stalledAlertPercent: fields.stalledAlertPercent ?? stalledPercentError,
    },
    invalid,
    pending: mutation.isPending,
    handleSubmit,
  };
}
