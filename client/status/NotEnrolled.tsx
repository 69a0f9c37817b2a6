import { mergeClasses } from "@fluentui/react-components";
import type { MeStatus } from "../../contract/me";
import { STATE_LOOKS } from "./stateDisplay";
import { useStatusStyles } from "./styles";

/** Props of NotEnrolled. */
export interface NotEnrolledProps {
  status: Extract<MeStatus, { enrolled: false }>;
  /** Who is signed in, when the host says (helps the admin find the right mailbox). */
  signedInAs: string | null;
}

/** The signed-in person has no mailbox in any profile: why, and whom to contact. */
export function NotEnrolled({ status, signedInAs }: NotEnrolledProps) {
  const styles = useStatusStyles();
  const look = STATE_LOOKS["not-enrolled"];
  return (
    <>
      <section aria-labelledby="state-label" className={styles.stateRow}>
        <look.Icon aria-hidden className={mergeClasses(styles.stateIcon, styles[look.tone])} />
        <h1 id="state-label" className={styles.stateLabel} data-state="not-enrolled">
          {look.label}
        </h1>
      </section>
      <p className={styles.text}>{status.message}</p>
      {status.reason !== "local-admin" && (
        <section aria-labelledby="contact-title" className={styles.panel}>
          <h2 id="contact-title" className={styles.panelTitle}>
            Whom to contact
          </h2>
          <p className={styles.text}>
            Your IT help desk, or the admin who manages Mailbox Sync for your organization. Tell them the
            address you sign in with
            {signedInAs ? (
              <>
                : <strong>{signedInAs}</strong>
              </>
            ) : (
              "."
            )}
          </p>
        </section>
      )}
    </>
  );
}
