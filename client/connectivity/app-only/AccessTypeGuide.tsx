import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ACCESS_TYPE_DESCRIPTIONS, GUIDE_ORDER } from "../access-types/descriptions";

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
const GUIDE = GUIDE_ORDER.map((id) => ACCESS_TYPE_DESCRIPTIONS[id]);

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
              <li key={g.id}>
                <Text>
                  {g.fits}: <Text weight="semibold">{g.label}</Text>
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
