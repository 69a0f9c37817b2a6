import type { EwsEnvironment } from "../ews/client";
import type { OAuthTokens } from "../oauth/tokens";
import type { AppOnlyDeps } from "./app-only-token";

/** What access type modules are built from (one per process; tests build their own). */
export interface AccessDeps {
  ews: EwsEnvironment;
  /** Autodiscover start URLs per domain (tests point them at the simulator). */
  autodiscoverCandidates?: (domain: string) => string[];
  /** EWS tokens of connected service accounts (OAuth impersonated logon); absent without an Entra app. */
  oauth?: OAuthTokens;
  /** Authority, its CA and the Graph base URL for the app-only types (client credentials). */
  appOnly?: AppOnlyDeps;
}
