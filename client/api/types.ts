// The client's names for the contract's types, in one place.
export type {
  AddUsersResult,
  BulkUsersResult,
  CheckHistoryEntry,
  User,
  UserDetail,
} from "../../contract/users";
export type { Settings, UpdateSettingsBody } from "../../contract/settings";
export type { EntraAppRegistration, SetupCheck, SetupCheckItem } from "../../contract/install";
export type {
  CreatedServiceKey,
  CreateServiceKeyBody,
  ServiceKey,
  ServiceKeyScope,
  SyncSession,
} from "../../contract/sync";
