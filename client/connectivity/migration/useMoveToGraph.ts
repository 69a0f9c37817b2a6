import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import type { Migration } from "../../../contract/migrations";
import { useNotify } from "../../components/notify";
import { useNow } from "../../components/useNow";
import { isEwsAccessType } from "../access-types/descriptions";
import type { MailboxAccessView } from "../types";
import { migrationKeys, useLatestMigration, useMigrationActions } from "./api";

/** Which confirmation is open. */
export type MoveConfirm = "apply" | "rollback" | null;

/** The move that shows: a dry run under way, one ready to apply, or an applied one (else null). */
export function liveMigration(m: Migration | null | undefined): Migration | null {
  return m && ["dry-run", "ready", "applied"].includes(m.status) ? m : null;
}

/** Whole days from `now` until `iso` (0 once past or without a date). */
export function daysLeft(iso: string | null | undefined, now: number): number {
  return iso ? Math.max(0, Math.ceil((Date.parse(iso) - now) / 86_400_000)) : 0;
}

/**
 * Move to Graph's state: the profile's latest move, whether the card shows at all (on EWS, or a move
 * applied), whether the form shows, the open confirmation and its Apply / Roll back.
 * @example const move = useMoveToGraph({ profileId, access });
 */
export function useMoveToGraph({
  profileId,
  access,
}: {
  profileId: string;
  access: MailboxAccessView | null;
}) {
  const notify = useNotify();
  const client = useQueryClient();
  const latest = useLatestMigration(profileId);
  const actions = useMigrationActions(profileId);
  const [formOpen, setFormOpen] = useState(false);
  const [confirm, setConfirm] = useState<MoveConfirm>(null);
  const now = useNow(60_000);
  const refresh = useCallback(() => {
    void client.invalidateQueries({ queryKey: migrationKeys.latest(profileId) });
    void client.invalidateQueries({ queryKey: ["profiles", profileId] });
  }, [client, profileId]);

  const onEws = access !== null && isEwsAccessType(access.type);
  const live = liveMigration(latest.data);

  const handleConfirm = () => {
    if (!live || !confirm) return;
    const action = confirm === "apply" ? actions.apply : actions.rollback;
    action.mutate(live.id, {
      onSuccess: () => {
        setConfirm(null);
        notify.success(
          confirm === "apply" ? "Moved to Graph" : "Rolled back to EWS",
          confirm === "apply"
            ? "The profile now uses Graph app-only; users that failed the dry run are being rechecked."
            : "The previous EWS access is back; no secret had to be entered.",
        );
      },
      onError: (err) => notify.error(err, confirm === "apply" ? "Apply failed" : "Roll back failed"),
    });
  };

  return {
    /** The card shows: the profile is on EWS, or its move to Graph is applied (to roll back). */
    visible: onEws || live?.status === "applied",
    onEws,
    live,
    loadError: latest.isError ? latest.error : null,
    showForm: onEws && (formOpen || !live || live.status === "applied"),
    formOpen,
    openForm: () => setFormOpen(true),
    closeForm: () => setFormOpen(false),
    confirm,
    setConfirm,
    handleConfirm,
    applying: actions.apply.isPending,
    rollingBack: actions.rollback.isPending,
    refresh,
    now,
    rollbackDays: daysLeft(live?.rollbackUntil, now),
    /** Users the dry run failed (on-premises ones included). */
    failing: live ? live.counts.fail + live.counts.onPremises : 0,
  };
}
