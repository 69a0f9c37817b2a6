// The repository lives in server/store; this module keeps the auth code's import path.
export { hashToken, LocalAdminRepository, type LocalAdmin } from "../store/local-admins-repo";
