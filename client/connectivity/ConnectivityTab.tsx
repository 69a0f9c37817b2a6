import { Card, makeStyles, tokens } from "@fluentui/react-components";
import { useProfile } from "../api/profiles";
import { UserStateChart } from "../charts/UserStateChart";
import { ActivationCard } from "../jobs/ActivationCard";
import { useMailboxAccess } from "./api";
import { ConnectivityTestCard } from "./ConnectivityTestCard";
import { EmailConfigurationCard } from "./EmailConfigurationCard";
import { MoveToGraphCard } from "./migration/MoveToGraphCard";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    paddingBottom: tokens.spacingVerticalXXL,
  },
});

/**
 * The Connectivity tab of a profile: Email configuration (Mailbox Access Type and the service
 * account), Test connectivity, Activate sync for all users with live progress, Move to Graph (profiles
 * on EWS), and users by state.
 */
export function ConnectivityTab({ profileId }: { profileId: string }) {
  const styles = useStyles();
  const access = useMailboxAccess(profileId);
  const profile = useProfile(profileId);
  const configured = Boolean(access.data?.access);
  return (
    <div className={styles.root}>
      <EmailConfigurationCard profileId={profileId} />
      <ConnectivityTestCard profileId={profileId} />
      <ActivationCard profileId={profileId} configured={configured} accessType={access.data?.access?.type} />
      <MoveToGraphCard
        profileId={profileId}
        access={access.data?.access ?? null}
        ewsEndsOn={profile.data?.ewsEndsOn ?? null}
      />
      {profile.data ? (
        <Card>
          <UserStateChart counts={profile.data.counts} />
        </Card>
      ) : null}
    </div>
  );
}
