import {
  Button,
  Menu,
  MenuDivider,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
} from "@fluentui/react-components";
import {
  DeleteRegular,
  EditRegular,
  MoreHorizontalRegular,
  PauseRegular,
  PlayRegular,
} from "@fluentui/react-icons";
import type { Profile } from "../../contract/profiles";

/** The row menu of a profile: edit, pause/resume sync, delete. */
export function ProfileActionsMenu({
  profile,
  canDelete,
  onEdit,
  onToggleSync,
  onDelete,
}: {
  profile: Profile;
  canDelete: boolean;
  onEdit: () => void;
  onToggleSync: () => void;
  onDelete: () => void;
}) {
  return (
    <Menu>
      <MenuTrigger disableButtonEnhancement>
        <Button
          appearance="subtle"
          icon={<MoreHorizontalRegular />}
          aria-label={`Actions for ${profile.name}`}
        />
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          <MenuItem icon={<EditRegular />} onClick={onEdit}>
            Edit
          </MenuItem>
          <MenuItem icon={profile.syncEnabled ? <PauseRegular /> : <PlayRegular />} onClick={onToggleSync}>
            {profile.syncEnabled ? "Pause sync" : "Resume sync"}
          </MenuItem>
          {canDelete && (
            <>
              <MenuDivider />
              <MenuItem icon={<DeleteRegular />} onClick={onDelete}>
                Delete
              </MenuItem>
            </>
          )}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
