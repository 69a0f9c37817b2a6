import { mergeClasses } from "@fluentui/react-components";
import type { MeStatusEnrolled } from "../../contract/me";
import { exactTime, relativeTime } from "../components/relativeTime";
import { accessTypeText, STATE_LOOKS } from "./stateDisplay";
import { useStatusStyles } from "./styles";

/** Props of StatusDetails. */
export interface StatusDetailsProps {
  status: MeStatusEnrolled;
  /** The clock the relative times are measured against. */
  now: number;
}

function When({ iso, now, none }: { iso: string | null; now: number; none: string }) {
  if (!iso) return <>{none}</>;
  return (
    <time dateTime={iso} title={exactTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}

/** The signed-in person's enrolled mailbox: state, what to do, the facts, and any errors. */
export function StatusDetails({ status, now }: StatusDetailsProps) {
  const styles = useStatusStyles();
  const look = STATE_LOOKS[status.state];
  const hasError = status.state === "error" && status.lastError;
  return (
    <>
      <section aria-labelledby="state-label" className={styles.stateRow}>
        <look.Icon aria-hidden className={mergeClasses(styles.stateIcon, styles[look.tone])} />
        <div>
          <h1 id="state-label" className={styles.stateLabel} data-state={status.state}>
            {look.label}
          </h1>
          <p className={styles.address}>{status.address}</p>
        </div>
      </section>

      <p className={styles.text} data-testid="your-action" data-your-action={status.yourAction}>
        {status.yourAction === "act" && <strong>Action needed from you: </strong>}
        {status.whatToDoNext}
      </p>
      {/* Said only when the profile has an open alert: never claim the admins know when they don't. */}
      {status.adminAlerted && (
        <p className={styles.text} data-testid="admins-alerted">
          Your admins were alerted about a problem in your group (profile).
        </p>
      )}

      {hasError && (
        <section aria-labelledby="error-title" className={mergeClasses(styles.panel, styles.dangerPanel)}>
          <h2 id="error-title" className={styles.panelTitle}>
            What went wrong
          </h2>
          <p className={styles.text}>{status.lastError!.message}</p>
          <span className={styles.code}>{status.lastError!.code}</span>
        </section>
      )}

      <dl className={styles.details}>
        <dt className={styles.term}>Profile</dt>
        <dd className={styles.value}>
          {status.profileName}
          {!status.profileSyncEnabled && " (sync paused)"}
        </dd>
        <dt className={styles.term}>Access</dt>
        <dd className={styles.value}>{accessTypeText(status.accessType)}</dd>
        <dt className={styles.term}>Last synced</dt>
        <dd className={styles.value} data-testid="last-synced">
          <When iso={status.lastSyncAt} now={now} none="Not yet" />
        </dd>
        <dt className={styles.term}>Last check</dt>
        <dd className={styles.value}>
          <When iso={status.lastCheckedAt} now={now} none="Not checked yet" />
        </dd>
        <dt className={styles.term}>Next check</dt>
        <dd className={styles.value}>
          <When iso={status.nextCheckAt} now={now} none="None planned" />
        </dd>
      </dl>

      {status.syncErrors && status.syncErrors.length > 0 && (
        <section aria-labelledby="sync-errors-title" className={styles.panel}>
          <h2 id="sync-errors-title" className={styles.panelTitle}>
            Sync errors in the last session
          </h2>
          <ul className={styles.list}>
            {status.syncErrors.map((error, i) => (
              <li key={`${error.code}-${i}`}>
                {error.message} <span className={styles.code}>({error.code})</span>
              </li>
            ))}
          </ul>
          <p className={styles.text}>The sync service retries on its own. If these stay, tell your admin.</p>
        </section>
      )}
    </>
  );
}
