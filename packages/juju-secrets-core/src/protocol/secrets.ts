/**
 * Secret groups, labels and content rules (protocol §4.3, §6.1–§6.2; juju-hook-tools.md §7.2).
 */

import { SecretContentError } from "../errors.js";
import { ProtocolEncodeError } from "./json.js";

/**
 * Which fields travel together in one Juju secret. `extra` holds every other secret field
 * (kafka `zookeeper-uris`, …), so its list is empty. `mtls` is owned by the requirer.
 */
export const SECRET_GROUPS = {
  user: ["username", "password", "uris", "read-only-uris"],
  tls: ["tls", "tls-ca"],
  entity: ["entity-name", "entity-password"],
  mtls: ["mtls-cert"],
  extra: [],
} as const satisfies Record<string, readonly string[]>;

export type SecretGroup = keyof typeof SECRET_GROUPS;

/** The databag key that carries a group's secret URI. */
export type SecretKey = `secret-${SecretGroup}`;

const GROUP_NAMES = Object.keys(SECRET_GROUPS) as SecretGroup[];

const FIELD_TO_GROUP: ReadonlyMap<string, SecretGroup> = new Map(
  GROUP_NAMES.flatMap((group) => SECRET_GROUPS[group].map((field): [string, SecretGroup] => [field, group])),
);

export function isSecretGroup(value: string): value is SecretGroup {
  return Object.hasOwn(SECRET_GROUPS, value);
}

/** The group a field belongs to; unlisted fields go to `extra`. */
export function groupOf(field: string): SecretGroup {
  return FIELD_TO_GROUP.get(field) ?? "extra";
}

export function secretKey(group: SecretGroup): SecretKey {
  return `secret-${group}`;
}

/** `secret-user` → `user`; anything that is not a group's key → `undefined`. */
export function groupOfSecretKey(key: string): SecretGroup | undefined {
  if (!key.startsWith("secret-")) return undefined;
  const group = key.slice("secret-".length);
  return isSecretGroup(group) ? group : undefined;
}

/** Python's default `requested-secrets`, byte-exact order (protocol §4.3). */
export const DEFAULT_REQUESTED_SECRETS = [
  "username",
  "password",
  "tls",
  "tls-ca",
  "uris",
  "read-only-uris",
  "entity-name",
  "entity-password",
] as const;

/** Python's default `provided-secrets`; dropped (and the key omitted) in cross-model relations. */
export const DEFAULT_PROVIDED_SECRETS = ["mtls-cert"] as const;

/** Fields that carry a credential: never published in plain text when a non-empty `requested-secrets` omits them (I-26). */
export const CREDENTIAL_FIELDS: ReadonlySet<string> = new Set([
  "password",
  "uris",
  "read-only-uris",
  "entity-password",
]);

export function isCredentialField(field: string): boolean {
  return CREDENTIAL_FIELDS.has(field);
}

// ---------------------------------------------------------------------------------------------
// Labels (protocol §6.2)

export interface SecretLabelParts {
  /** The local endpoint (relation) name; may contain dots. */
  readonly endpoint: string;
  readonly relationId: number;
  /** v1 only. */
  readonly requestId?: string;
  readonly group: SecretGroup;
}

const RELATION_ID_RE = /^\d+$/;
const HEX_REQUEST_ID_RE = /^[0-9a-f]{16}$/;

/** v0 `<ep>.<id>.<group>.secret`; v1 `<ep>.<id>.<request-id>.<group>.secret`. */
export function secretLabel(parts: SecretLabelParts): string {
  const { endpoint, relationId, requestId, group } = parts;
  if (endpoint === "") throw new ProtocolEncodeError("secret label endpoint", "must not be empty");
  if (!Number.isSafeInteger(relationId) || relationId < 0) {
    throw new ProtocolEncodeError("secret label relationId", "must be a non-negative integer");
  }
  if (!isSecretGroup(group)) throw new ProtocolEncodeError("secret label group", "unknown secret group");
  if (requestId === undefined) return `${endpoint}.${relationId}.${group}.secret`;
  // A dot, or a number that is not a 16-hex id, would make the label ambiguous when parsed from the right.
  const ambiguous = requestId === "" || requestId.includes(".") || RELATION_ID_RE.test(requestId);
  if (ambiguous && !HEX_REQUEST_ID_RE.test(requestId)) {
    throw new ProtocolEncodeError("secret label requestId", "must be non-empty, without dots, not a number");
  }
  return `${endpoint}.${relationId}.${requestId}.${group}.secret`;
}

/**
 * Parse a label from the RIGHT, so dotted endpoint names work (I-16). `<…>.<n>.<rid>.<group>.secret`
 * is read as v1 when `<rid>` is a 16-hex request id or is not a number; otherwise as v0.
 * Returns `undefined` for labels that are not ours.
 */
export function parseSecretLabel(label: string): SecretLabelParts | undefined {
  if (typeof label !== "string") return undefined;
  const parts = label.split(".");
  const n = parts.length;
  if (n < 4 || parts[n - 1] !== "secret") return undefined;
  const group = parts[n - 2]!;
  if (!isSecretGroup(group)) return undefined;
  const third = parts[n - 3]!;
  const fourth = parts[n - 4]!;
  if (n >= 5 && third !== "" && RELATION_ID_RE.test(fourth)) {
    const looksV1 = HEX_REQUEST_ID_RE.test(third) || !RELATION_ID_RE.test(third);
    const endpoint = parts.slice(0, n - 4).join(".");
    if (looksV1 && endpoint !== "") {
      return { endpoint, relationId: Number(fourth), requestId: third, group };
    }
  }
  if (!RELATION_ID_RE.test(third)) return undefined;
  const endpoint = parts.slice(0, n - 3).join(".");
  if (endpoint === "") return undefined;
  return { endpoint, relationId: Number(third), group };
}

/** Label of the requirer-owned auxiliary secret behind `requested-entity-secret` (§4.10). */
export function requestedEntityLabel(modelUuid: string, relationId: number): string {
  return `${modelUuid}-${relationId}-requested-entity`;
}

/** Label of the provider-owned cross-model `encryption-secret` (§7). */
export function encryptionSecretLabel(modelUuid: string, relationId: number): string {
  return `${modelUuid}-${relationId}-encryption-secret`;
}

// ---------------------------------------------------------------------------------------------
// Content rules (juju-hook-tools.md §7.2)

/** Juju's `keyRegExp` (ops `Secret._key_re`). */
export const SECRET_KEY_RE = /^([a-z](?:-?[a-z0-9]){2,})$/;

/** Juju 3.6 limit on base64-encoded content, per key and in total. */
export const SECRET_MAX_BASE64_BYTES = 1_000_000;
/** Older Juju limits on raw values; exceeding them only warns. */
export const SECRET_LEGACY_KEY_BYTES = 8 * 1024;
export const SECRET_LEGACY_TOTAL_BYTES = 64 * 1024;

function base64Length(byteLength: number): number {
  return 4 * Math.ceil(byteLength / 3);
}

/**
 * Check content before `secret-add`/`secret-set`: non-empty, string values, keys matching
 * `SECRET_KEY_RE`, at most 1,000,000 base64 bytes per key and in total. Throws `SecretContentError`
 * naming the key (never the value). Returns warnings for sizes that older Juju versions refuse.
 */
export function validateSecretContent(content: Readonly<Record<string, unknown>>): string[] {
  if (content === null || typeof content !== "object" || Array.isArray(content)) {
    throw new SecretContentError("secret content must be an object of strings");
  }
  const keys = Object.keys(content);
  if (keys.length === 0) throw new SecretContentError("secret content must not be empty");
  const warnings: string[] = [];
  let totalBase64 = 0;
  let totalRaw = 0;
  for (const key of keys) {
    if (!SECRET_KEY_RE.test(key)) {
      throw new SecretContentError(
        `invalid secret content key "${key}": must match ${SECRET_KEY_RE.source} (lowercase letters, digits, single hyphens, at least 3 characters)`,
        key,
      );
    }
    const value = content[key];
    if (typeof value !== "string") {
      throw new SecretContentError(`secret content key "${key}" must be a string, got ${typeof value}`, key);
    }
    const raw = Buffer.byteLength(value, "utf8");
    const encoded = base64Length(raw);
    if (encoded > SECRET_MAX_BASE64_BYTES) {
      throw new SecretContentError(
        `base64 encoded secret content for key "${key}" too large: ${encoded} bytes (limit ${SECRET_MAX_BASE64_BYTES})`,
        key,
      );
    }
    if (raw > SECRET_LEGACY_KEY_BYTES) {
      warnings.push(`secret content key "${key}" is ${raw} bytes; Juju before 3.6 limits values to 8 KiB`);
    }
    totalBase64 += encoded;
    totalRaw += raw;
  }
  if (totalBase64 > SECRET_MAX_BASE64_BYTES) {
    throw new SecretContentError(
      `base64 encoded secret content too large: ${totalBase64} bytes in total (limit ${SECRET_MAX_BASE64_BYTES})`,
    );
  }
  if (totalRaw > SECRET_LEGACY_TOTAL_BYTES) {
    warnings.push(`secret content is ${totalRaw} bytes; Juju before 3.6 limits content to 64 KiB`);
  }
  return warnings;
}
