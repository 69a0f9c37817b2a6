import {
  Button,
  Caption1,
  Card,
  CardHeader,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowRepeatAll24Regular } from "@fluentui/react-icons";
import { errorMessage } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ewsDeadlineText } from "../../components/EwsDeadline";
import { SetupScriptPanel } from "../app-only/SetupScriptPanel";
import type { MailboxAccessView } from "../types";
import { MigrationForm } from "./MigrationForm";
import { MigrationResults } from "./MigrationResults";
import { MoveProgress } from "./MoveProgress";
import { useMoveToGraph } from "./useMoveToGraph";

const useStyles = makeStyles({
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, maxWidth: "980px" },
  muted: { color: tokens.colorNeutralForeground3 },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
});

const date = (iso: string) => new Date(iso).toLocaleString();

/**
 * **Move to Graph** (Connectivity tab of a profile on EWS): the app-only identity and the PowerShell
 * for its RBAC roles, a dry run with progress and results by category, Apply and Roll back (both
 * confirmed). Profiles on EWS against Exchange Online also see the days left until EWS ends there.
 * State and actions live in useMoveToGraph.
 */
export function MoveToGraphCard({
  profileId,
  access,
  ewsEndsOn,
}: {
  profileId: string;
  access: MailboxAccessView | null;
  ewsEndsOn: string | null;
}) {
  const styles = useStyles();
  const move = useMoveToGraph({ profileId, access });
  const { live, rollbackDays, failing } = move;
  if (!move.visible) return null;

  return (
    <Card aria-labelledby="move-to-graph-title">
      <CardHeader
        image={<ArrowRepeatAll24Regular aria-hidden />}
        header={
          <Text id="move-to-graph-title" as="h2" weight="semibold" size={400}>
            Move to Graph
          </Text>
        }
        description={
          <Caption1 className={styles.muted}>
            Switch this profile from EWS to Microsoft Graph app-only. No end user does anything; users keep
            their states and the sync service sees the change in the roster.
          </Caption1>
        }
      />
      <div className={styles.body}>
        {ewsEndsOn && move.onEws ? (
          <MessageBar intent="warning">
            <MessageBarBody>
              <MessageBarTitle>{ewsDeadlineText(ewsEndsOn, move.now)}</MessageBarTitle>
              Exchange Online blocks EWS for apps not on the tenant's allow list and turns it off for good on
              April 1, 2027. Move this profile to Graph before then.
            </MessageBarBody>
          </MessageBar>
        ) : null}
        {move.loadError ? (
          <MessageBar intent="error">
            <MessageBarBody>Could not load the move: {errorMessage(move.loadError)}</MessageBarBody>
          </MessageBar>
        ) : null}

        {live?.status === "applied" ? (
          <>
            <MessageBar intent="success">
              <MessageBarBody>
                <MessageBarTitle>On Graph since {date(live.appliedAt!)}</MessageBarTitle>
                Applied by {live.appliedBy}. Roll back to the previous EWS access is possible until{" "}
                {date(live.rollbackUntil!)} ({rollbackDays} {rollbackDays === 1 ? "day" : "days"} left).
              </MessageBarBody>
            </MessageBar>
            {live.recheckJobId ? (
              <MoveProgress
                jobId={live.recheckJobId}
                label="Recheck of the users that failed"
                onFinished={move.refresh}
              />
            ) : null}
            <MigrationResults migration={live} />
            <div className={styles.actions}>
              <Button onClick={() => move.setConfirm("rollback")}>Roll back to EWS…</Button>
            </div>
          </>
        ) : null}

        {live && live.status !== "applied" ? (
          <>
            <Caption1 className={styles.muted}>
              Dry run started {date(live.createdAt)} by {live.createdBy} for app {live.identity.clientId}.
            </Caption1>
            {live.status === "dry-run" ? (
              <MoveProgress jobId={live.dryRunJobId} label="Dry run" onFinished={move.refresh} />
            ) : null}
            <MigrationResults migration={live} />
            <SetupScriptPanel script={live.setupScript} />
            <Caption1 className={styles.muted}>
              Roles: {live.roles.join(", ")}. The CRM's stored EWS ids stay usable: an EWS id is the Graph id
              with "/" as "-" and "+" as "_" (Graph's translateExchangeIds takes delegated permissions only).
            </Caption1>
            <div className={styles.actions}>
              <Button
                appearance="primary"
                disabled={live.status !== "ready"}
                onClick={() => move.setConfirm("apply")}
              >
                Apply…
              </Button>
              {!move.formOpen ? <Button onClick={move.openForm}>New dry run…</Button> : null}
            </div>
          </>
        ) : null}

        {move.showForm && access ? (
          <>
            <Text weight="semibold">App-only identity for Graph</Text>
            <MigrationForm profileId={profileId} current={access} onStarted={move.closeForm} />
          </>
        ) : null}
      </div>

      <ConfirmDialog
        open={move.confirm === "apply"}
        title="Move this profile to Graph?"
        confirmLabel="Apply"
        busy={move.applying}
        onConfirm={move.handleConfirm}
        onCancel={() => move.setConfirm(null)}
      >
        The profile's mailbox access becomes Graph app-only (a new version, audited). Users keep their states.{" "}
        {failing > 0
          ? `${failing} user(s) did not pass the dry run: they are rechecked and end in error if they still fail (on-premises mailboxes stay on EWS: move them to another profile first).`
          : "Every user passed the dry run."}{" "}
        You can roll back for 30 days.
      </ConfirmDialog>
      <ConfirmDialog
        open={move.confirm === "rollback"}
        title="Roll back to EWS?"
        confirmLabel="Roll back"
        destructive
        busy={move.rollingBack}
        onConfirm={move.handleConfirm}
        onCancel={() => move.setConfirm(null)}
      >
        The previous EWS access (kept sealed) comes back as a new version; no secret needs to be entered.
        Users the recheck moved to error are checked again on EWS. Possible until{" "}
        {live?.rollbackUntil ? date(live.rollbackUntil) : "—"}.
      </ConfirmDialog>
    </Card>
  );
}
