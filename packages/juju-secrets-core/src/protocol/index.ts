/**
 * The data-interfaces protocol as pure functions: Python-compatible JSON, value codecs, secret
 * groups and labels, Fernet, the v0 snapshot, relation statuses and the v1 requests contract.
 */

export { describeShape, FernetError } from "../errors.js";
export * from "../limits.js";
export * from "./bag.js";
export * from "./codecs.js";
export * from "./fernet.js";
export * from "./json.js";
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
  validateSecretContent,
} from "./secrets.js";
export * from "./snapshot.js";
export * from "./status.js";
export * from "./v1.js";
