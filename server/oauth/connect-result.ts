import type { AccessFailure } from "../domain/access-outcome";
import type { ConnectedAccount } from "./connection";

/** Where the popup runs: the result page adds teams-js or Office.js only where they are needed. */
export type PopupHost = "browser" | "teams" | "office";

/** What the callback page shows and posts to the panel (never a token). */
export type ConnectResult =
  | { ok: true; profileId: string; account: ConnectedAccount }
  | { ok: false; profileId?: string; status: number; failure: AccessFailure };
