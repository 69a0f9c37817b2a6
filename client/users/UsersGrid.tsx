import { useMemo } from "react";
import {
  DataGridCell,
  DataGridHeaderCell,
  makeStyles,
  tokens,
  type TableRowId,
} from "@fluentui/react-components";
import {
  DataGrid,
  DataGridBody,
  DataGridHeader,
  DataGridRow,
} from "@fluentui-contrib/react-data-grid-react-window";
import type { User } from "../api/types";
import { userColumns, userColumnSizing } from "./columns";

/** Height of one row; the virtual list needs it fixed. */
export const USER_ROW_HEIGHT = 44;
/** Start loading the next page when the last visible row is this close to the end. */
const PREFETCH_ROWS = 30;

const useStyles = makeStyles({
  grid: {
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
    overflow: "hidden",
    minWidth: "720px",
  },
  header: {
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    fontWeight: tokens.fontWeightSemibold,
  },
});

/** Props of UsersGrid. */
export interface UsersGridProps {
  users: User[];
  height: number;
  selected: Set<TableRowId>;
  onSelectionChange: (ids: Set<TableRowId>) => void;
  onOpen: (id: string) => void;
  /** Asks for the next page when the user scrolls near the loaded end. */
  onNearEnd: () => void;
  /** Total rows, when known, for screen readers (aria-rowcount). */
  totalRows?: number;
}

/** A virtualized, multi-select grid of users (react-window under Fluent's DataGrid). */
export function UsersGrid({
  users,
  height,
  selected,
  onSelectionChange,
  onOpen,
  onNearEnd,
  totalRows,
}: UsersGridProps) {
  const styles = useStyles();
  const columns = useMemo(() => userColumns(onOpen), [onOpen]);
  return (
    <DataGrid
      items={users}
      columns={columns}
      getRowId={(u: User) => u.id}
      selectionMode="multiselect"
      selectedItems={selected}
      onSelectionChange={(_e, data) => onSelectionChange(data.selectedItems)}
      resizableColumns
      columnSizingOptions={userColumnSizing}
      aria-label="Users"
      aria-rowcount={(totalRows ?? users.length) + 1}
      className={styles.grid}
    >
      <DataGridHeader className={styles.header}>
        <DataGridRow selectionCell={{ checkboxIndicator: { "aria-label": "Select all loaded users" } }}>
          {({ renderHeaderCell }) => <DataGridHeaderCell>{renderHeaderCell()}</DataGridHeaderCell>}
        </DataGridRow>
      </DataGridHeader>
      <DataGridBody<User>
        itemSize={USER_ROW_HEIGHT}
        height={height}
        listProps={{
          onItemsRendered: ({ visibleStopIndex }: { visibleStopIndex: number }) => {
            if (visibleStopIndex >= users.length - PREFETCH_ROWS) onNearEnd();
          },
        }}
      >
        {({ item, rowId }, style) => (
          <DataGridRow<User>
            key={rowId}
            style={style}
            selectionCell={{ checkboxIndicator: { "aria-label": `Select ${item.address}` } }}
          >
            {({ renderCell }) => <DataGridCell>{renderCell(item)}</DataGridCell>}
          </DataGridRow>
        )}
      </DataGridBody>
    </DataGrid>
  );
}
