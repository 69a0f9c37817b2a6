import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";

const useStyles = makeStyles({
  root: { maxWidth: "560px" },
  list: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalXL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
});

/** Which Exchange each access type fits, in the order an admin asks the question. */
const GUIDE: { exchange: string; type: string }[] = [
  {
    exchange: "On-premises or hybrid Exchange with Basic authentication on EWS",
    type: "Microsoft Exchange basic authorization (EWS API) - Impersonated logon",
  },
  {
    exchange: "On-premises or hybrid Exchange with modern authentication (OAuth)",
    type: "Microsoft 365 OAuth Logon (EWS API) - Impersonated logon",
  },
  { exchange: "Exchange Online", type: "Microsoft 365 app-only (Graph API)" },
  {
    exchange:
      "Exchange Online, if the tenant allow-lists the app for EWS (until April 1, 2027, when EWS shuts down)",
    type: "Microsoft 365 app-only (EWS API)",
  },
];

/**
 * "Which access type fits my Exchange?": a collapsed hint beside the Mailbox Access Type dropdown.
 * @example <AccessTypeGuide />
 */
export function AccessTypeGuide() {
  const styles = useStyles();
  return (
    <Accordion collapsible className={styles.root}>
      <AccordionItem value="guide">
        <AccordionHeader size="small">Which access type fits my Exchange?</AccordionHeader>
        <AccordionPanel>
          <ul className={styles.list}>
            {GUIDE.map((g) => (
              <li key={g.type}>
                <Text>
                  {g.exchange}: <Text weight="semibold">{g.type}</Text>
                </Text>
              </li>
            ))}
          </ul>
          <Text as="p" size={200}>
            Exchange Online no longer offers Basic authentication or ApplicationImpersonation: use an app-only
            type scoped with RBAC for Applications.
          </Text>
        </AccordionPanel>
      </AccordionItem>
    </Accordion>
  );
}
