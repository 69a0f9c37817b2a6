/** The test identity provider: an https OpenID provider on 127.0.0.1 issuing Entra-shaped tokens. */
export * from "./accounts";
export * from "./provider";
export * from "./tokens";
export { createSelfSignedCertificate, type SelfSignedCertificate } from "./certificate";
