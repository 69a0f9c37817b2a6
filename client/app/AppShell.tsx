import type { ReactNode } from "react";
import {
  Button,
  makeStyles,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Tab,
  TabList,
  Text,
  tokens,
} from "@fluentui/react-components";
import { MailMultipleRegular, PersonCircleRegular, SignOutRegular } from "@fluentui/react-icons";
import type { Me } from "../../contract/auth";
import { useSignOut } from "../api/auth";
import { signOutOfMicrosoft } from "../host/entra-session";
import { useNotify } from "../components/notify";
import { navigate, type Route } from "./router";

const useStyles = makeStyles({
  header: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalL,
    padding: `0 ${tokens.spacingHorizontalXL}`,
    height: "48px",
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  brand: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, whiteSpace: "nowrap" },
  brandIcon: { fontSize: "20px", color: tokens.colorBrandForeground1, display: "flex" },
  nav: { flexGrow: 1, minWidth: 0 },
  main: {
    maxWidth: "1280px",
    margin: "0 auto",
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXL}`,
    boxSizing: "border-box",
  },
  skip: {
    position: "absolute",
    left: "-9999px",
    ":focus": {
      left: tokens.spacingHorizontalM,
      top: tokens.spacingVerticalS,
      zIndex: 10,
      padding: tokens.spacingHorizontalS,
      backgroundColor: tokens.colorNeutralBackground1,
    },
  },
});

/** The frame of every signed-in page: brand, navigation, the signed-in person, and the page. */
export function AppShell({ me, route, children }: { me: Me; route: Route; children: ReactNode }) {
  const styles = useStyles();
  const signOut = useSignOut();
  const notify = useNotify();
  const section = route.page === "settings" || route.page === "problems" ? route.page : "profiles";

  const handleSignOut = () => {
    if (me.kind === "entra") {
      signOutOfMicrosoft().then(
        () => window.location.reload(),
        (err: unknown) => notify.error(err, "Couldn't sign out"),
      );
      return;
    }
    signOut.mutate(undefined, { onError: (err) => notify.error(err, "Couldn't sign out") });
  };

  return (
    <>
      <a href="#main" className={styles.skip}>
        Skip to content
      </a>
      <header className={styles.header}>
        <div className={styles.brand}>
          <span className={styles.brandIcon} aria-hidden="true">
            <MailMultipleRegular />
          </span>
          <Text weight="semibold">Mailbox Sync Admin</Text>
        </div>
        <nav className={styles.nav} aria-label="Main">
          <TabList
            selectedValue={section}
            onTabSelect={(_e, data) =>
              navigate(
                data.value === "settings"
                  ? { page: "settings" }
                  : data.value === "problems"
                    ? { page: "problems" }
                    : { page: "profiles" },
              )
            }
            size="small"
          >
            <Tab value="profiles">Profiles</Tab>
            <Tab value="problems">Problems</Tab>
            {me.platformAdmin && <Tab value="settings">Settings</Tab>}
          </TabList>
        </nav>
        <Menu>
          <MenuTrigger disableButtonEnhancement>
            <Button appearance="subtle" icon={<PersonCircleRegular />} aria-label={`Account: ${me.name}`}>
              {me.name}
            </Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              <MenuItem icon={<SignOutRegular />} onClick={handleSignOut}>
                Sign out
              </MenuItem>
              {me.platformAdmin && (
                <MenuItem onClick={() => navigate({ page: "settings" })}>Settings</MenuItem>
              )}
            </MenuList>
          </MenuPopover>
        </Menu>
      </header>
      <main id="main" className={styles.main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
