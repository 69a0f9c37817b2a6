/** The AADSTS code Entra answers for each OAuth error, so the product's error mapping can be tested. */
const AADSTS: Record<string, { code: number; text: string }> = {
  invalid_tenant: {
    code: 90002,
    text: "Tenant not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
  },
  invalid_client_assertion: {
    code: 700027,
    text: "Client assertion failed signature validation: the key was not found, or the certificate is not registered on the application or has expired.",
  },
  invalid_grant: { code: 70000, text: "The provided grant is invalid or malformed, expired or revoked." },
  invalid_client: { code: 7000215, text: "Invalid client secret provided." },
  unauthorized_client: { code: 700016, text: "Application was not found in the directory." },
  invalid_scope: { code: 70011, text: "The provided value for the input parameter 'scope' is not valid." },
  invalid_request: { code: 900144, text: "The request body must contain the following parameter." },
  invalid_target: { code: 500011, text: "The resource principal was not found in the tenant." },
  access_denied: { code: 65004, text: "User declined to consent to access the app." },
  login_required: { code: 50058, text: "A silent sign-in request was sent but no user is signed in." },
  consent_required: {
    code: 65001,
    text: "The user or administrator has not consented to use the application.",
  },
  interaction_required: {
    code: 50076,
    text: "Due to a configuration change, you must use multi-factor authentication.",
  },
};

/**
 * An OAuth error body in Entra's shape: `error_codes`, an `AADSTS…` description, timestamp and ids.
 * @example entraErrorBody({ error: "invalid_grant" }) // { error_codes: [70000], error_description: "AADSTS70000: ..." }
 */
export function entraErrorBody(body: { error: string; error_description?: string }): Record<string, unknown> {
  const known = AADSTS[body.error] ?? { code: 90000, text: "The request could not be processed." };
  const detail =
    body.error_description && body.error_description !== known.text ? ` (${body.error_description})` : "";
  return {
    ...body,
    error_description: `AADSTS${known.code}: ${known.text}${detail} Trace ID: ${crypto.randomUUID()} Correlation ID: ${crypto.randomUUID()} Timestamp: ${new Date().toISOString()}`,
    error_codes: [known.code],
    timestamp: new Date().toISOString(),
    trace_id: crypto.randomUUID(),
    correlation_id: crypto.randomUUID(),
  };
}
