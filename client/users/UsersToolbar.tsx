import { Checkbox, Dropdown, makeStyles, Option, SearchBox, tokens } from "@fluentui/react-components";
import { userStates, type UserState } from "../../contract/common";
import { stateInfo } from "../components/states";

const useStyles = makeStyles({
  root: { display: "flex", gap: tokens.spacingHorizontalM, flexWrap: "wrap", alignItems: "center" },
  search: { width: "280px", maxWidth: "100%" },
  state: { minWidth: "160px" },
});

/** Search (prefix of address or display-name word) and state filter of the Users tab. */
export function UsersFilters({
  q,
  onQChange,
  state,
  onStateChange,
  stalled = false,
  onStalledChange,
}: {
  q: string;
  onQChange: (q: string) => void;
  state: UserState | "";
  onStateChange: (s: UserState | "") => void;
  /** Only stalled mailboxes (no sync report for too long). */
  stalled?: boolean;
  onStalledChange?: (stalled: boolean) => void;
}) {
  const styles = useStyles();
  return (
    <div className={styles.root} role="search">
      <SearchBox
        className={styles.search}
        placeholder="Search by address or name"
        aria-label="Search users"
        value={q}
        onChange={(_e, d) => onQChange(d.value)}
      />
      <Dropdown
        className={styles.state}
        aria-label="Filter by state"
        value={state ? stateInfo[state].label : "All states"}
        selectedOptions={[state]}
        onOptionSelect={(_e, d) => onStateChange((d.optionValue ?? "") as UserState | "")}
      >
        <Option value="">All states</Option>
        {userStates.map((s) => (
          <Option key={s} value={s}>
            {stateInfo[s].label}
          </Option>
        ))}
      </Dropdown>
      {onStalledChange && (
        <Checkbox
          label="Stalled only"
          checked={stalled}
          onChange={(_e, d) => onStalledChange(d.checked === true)}
        />
      )}
    </div>
  );
}
