/**
 * The data-interfaces protocol as pure functions: Python-compatible JSON, value codecs, secret
 * groups and labels, Fernet, the v0 snapshot, relation statuses and the v1 requests contract.
 */

export * from "../limits.js";
export * from "./codecs.js";
export * from "./fernet.js";
export * from "./json.js";
// `validateSecretContent` stays module-level (import from "./protocol/secrets.js"): the package root
// already exports the backend's function of the same name and rules, and two star exports would clash.
export {
  CREDENTIAL_FIELDS,
  DEFAULT_PROVIDED_SECRETS,
  DEFAULT_REQUESTED_SECRETS,
  encryptionSecretLabel,
  groupOf,
  groupOfSecretKey,
  isCredentialField,
  isSecretGroup,
  parseSecretLabel,
  requestedEntityLabel,
  SECRET_GROUPS,
  SECRET_KEY_RE,
  SECRET_LEGACY_KEY_BYTES,
  SECRET_LEGACY_TOTAL_BYTES,
  SECRET_MAX_BASE64_BYTES,
  type SecretGroup,
  type SecretKey,
  type SecretLabelParts,
  secretKey,
  secretLabel,
} from "./secrets.js";
export * from "./snapshot.js";
export * from "./status.js";
export * from "./v1.js";
