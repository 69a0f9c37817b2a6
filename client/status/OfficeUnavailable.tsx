import { Button, mergeClasses } from "@fluentui/react-components";
import { PlugDisconnected24Regular } from "@fluentui/react-icons";
import type { HostSetup } from "./startHost";
import { useStatusStyles } from "./styles";

type Reason = Extract<HostSetup, { kind: "office-unavailable" }>["reason"];

const EXPLANATIONS: Record<Reason, string> = {
  unreachable:
    "Outlook add-ins need Office.js from Microsoft (appsforoffice.microsoft.com), and it could not be loaded. Your network, proxy or an ad blocker may be blocking it.",
  timeout: "Office.js loaded but Outlook did not answer in time. Close this pane and open it again.",
  "no-host":
    "This page is made to open inside Outlook, from the Sync status button. It was opened somewhere else.",
};

/** The Outlook task pane without Office.js: say so plainly, and offer a retry and the browser view. */
export function OfficeUnavailable({ reason }: { reason: Reason }) {
  const styles = useStatusStyles();
  return (
    <>
      <section aria-labelledby="state-label" className={styles.stateRow}>
        <PlugDisconnected24Regular aria-hidden className={mergeClasses(styles.stateIcon, styles.warning)} />
        <h1 id="state-label" className={styles.stateLabel} data-state="office-unavailable">
          Can't connect to Outlook
        </h1>
      </section>
      <p className={styles.text}>{EXPLANATIONS[reason]}</p>
      <p className={styles.text}>
        You can still see your sync status in a browser:{" "}
        <a className={styles.link} href="/status" target="_blank" rel="noreferrer">
          open it in a new window
        </a>
        .
      </p>
      <div>
        <Button appearance="primary" onClick={() => window.location.reload()}>
          Try again
        </Button>
      </div>
    </>
  );
}
