import { Button, Spinner } from "@fluentui/react-components";
import { ArrowClockwise20Regular } from "@fluentui/react-icons";
import { NotEnrolled } from "./NotEnrolled";
import { OfficeUnavailable } from "./OfficeUnavailable";
import { relativeTime } from "../components/relativeTime";
import type { HostSetup } from "./startHost";
import { StatusDetails } from "./StatusDetails";
import { useStatusStyles } from "./styles";
import { useNow } from "../components/useNow";
import { useMyStatus } from "./useMyStatus";

type ReadySetup = Extract<HostSetup, { kind: "ready" }>;

/** The status view once the host glue has finished: the person's status, or what stands in the way. */
export function StatusApp({ setup }: { setup: HostSetup | null }) {
  const styles = useStatusStyles();
  return (
    <main className={styles.page}>
      <header className={styles.header}>
        <p className={styles.appName}>Mailbox sync status</p>
      </header>
      {setup === null && <Spinner size="small" label="Connecting…" />}
      {setup?.kind === "office-unavailable" && <OfficeUnavailable reason={setup.reason} />}
      {setup?.kind === "failed" && <p className={styles.text}>The page could not start: {setup.message}</p>}
      {setup?.kind === "ready" && <ReadyStatus setup={setup} />}
      <footer className={styles.footer}>
        <nav className={styles.links} aria-label="About this app">
          <a className={styles.link} href="/privacy" target="_blank" rel="noreferrer">
            Privacy
          </a>
          <a className={styles.link} href="/terms" target="_blank" rel="noreferrer">
            Terms
          </a>
        </nav>
      </footer>
    </main>
  );
}

function ReadyStatus({ setup }: { setup: ReadySetup }) {
  const styles = useStatusStyles();
  const { view, refresh, signIn } = useMyStatus(setup.signIn);
  const tick = useNow();
  const now = view.phase === "ok" ? Math.max(tick, view.fetchedAt) : tick;
  const handleRefresh = () => void refresh();
  const handleSignIn = () => void signIn();

  switch (view.phase) {
    case "loading":
      return <Spinner size="small" label="Reading your sync status…" />;
    case "signed-out":
      return (
        <div className={styles.centered}>
          <h1 className={styles.stateLabel}>Sign in to see your sync status</h1>
          {view.message && <p className={styles.text}>{view.message}</p>}
          {setup.signIn.mode() === "cookie" ? (
            <p className={styles.text}>
              Sign-in with Microsoft is not set up on this server. Ask your admin.
            </p>
          ) : (
            <Button appearance="primary" onClick={handleSignIn}>
              Sign in
            </Button>
          )}
        </div>
      );
    case "failed":
      return (
        <div className={styles.centered}>
          <h1 className={styles.stateLabel}>Your status could not be read</h1>
          <p className={styles.text}>{view.message}</p>
          <Button onClick={handleRefresh}>Try again</Button>
        </div>
      );
    case "ok":
      return (
        <>
          {view.status.enrolled ? (
            <StatusDetails status={view.status} now={now} />
          ) : (
            <NotEnrolled status={view.status} signedInAs={setup.upn} />
          )}
          <div className={styles.header}>
            <span className={styles.footer} role="status">
              {view.refreshError
                ? `Could not refresh: ${view.refreshError}`
                : `Updated ${relativeTime(new Date(view.fetchedAt).toISOString(), now)}`}
            </span>
            <Button
              appearance="subtle"
              size="small"
              icon={<ArrowClockwise20Regular />}
              disabled={view.refreshing}
              onClick={handleRefresh}
            >
              Refresh
            </Button>
          </div>
        </>
      );
  }
}
