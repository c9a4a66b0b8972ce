/**
 * The v1 requests contract (protocol §5): request/response objects with a fixed key order and
 * serialized nulls, `request-id = sha256(resource:salt)[:16]`, and the `data` snapshot keyed by
 * request id.
 */

import { createHash, randomBytes } from "node:crypto";
import { formatCommaList, jsonType, parseBool } from "./codecs.js";
import { ProtocolEncodeError, parseJson, pyDumps } from "./json.js";
import { SECRET_GROUPS } from "./secrets.js";
import { parseStatuses, type RelationStatus, STATUS_KEY } from "./status.js";

/** A request or response object as it travels inside `requests`. */
export type V1Object = Record<string, unknown>;

export const V1_VERSION = "v1";

/** Keys of a request, in the order pydantic serializes `RequirerCommonModel`. */
export const REQUEST_KEY_ORDER = [
  "resource",
  "request-id",
  "salt",
  "extra-user-roles",
  "extra-group-roles",
  "external-node-connectivity",
  "entity-type",
  "entity-permissions",
  "secret-mtls",
] as const;

/** Keys of a response, in the order pydantic serializes `ProviderCommonModel` + `version`. */
export const RESPONSE_KEY_ORDER = [
  "resource",
  "request-id",
  "salt",
  "endpoints",
  "read-only-endpoints",
  "secret-user",
  "secret-tls",
  "secret-extra",
  "secret-entity",
  "version",
] as const;

/** v0 keys a v1 provider accepts as the resource, in priority order (§5.2, §5.8). */
export const V0_RESOURCE_ALIASES = ["database", "subject", "topic", "index", "plugin-url", "prefix"] as const;

/** The dpcharmlibs-only key carrying a cross-model Fernet certificate (or null). */
export const MTLS_CERT_KEY = "mtls-cert";

const SALT_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const SALT_LENGTH = 16;
// The largest multiple of 62 below 256: bytes at or above it are dropped so every character is equally likely.
const SALT_BYTE_LIMIT = 256 - (256 % SALT_ALPHABET.length);

/** 16 characters from `[A-Za-z0-9]`, from a CSPRNG, without modulo bias. */
export function generateSalt(): string {
  let salt = "";
  while (salt.length < SALT_LENGTH) {
    for (const byte of randomBytes(SALT_LENGTH * 2)) {
      if (byte >= SALT_BYTE_LIMIT) continue;
      salt += SALT_ALPHABET[byte % SALT_ALPHABET.length];
      if (salt.length === SALT_LENGTH) break;
    }
  }
  return salt;
}

/** The first 16 hex digits of `sha256(utf8("<resource>:<salt>"))`. */
export function computeRequestId(resource: string, salt: string): string {
  return createHash("sha256").update(`${resource}:${salt}`, "utf8").digest("hex").slice(0, 16);
}

/** A request or response's id: its `request-id`, else recomputed from `resource` and `salt` (§5.3). */
export function requestIdOf(obj: Readonly<V1Object>): string | undefined {
  const id = obj["request-id"];
  if (typeof id === "string" && id !== "") return id;
  const resource = obj["resource"] ?? "";
  const salt = obj["salt"];
  return typeof resource === "string" && typeof salt === "string"
    ? computeRequestId(resource, salt)
    : undefined;
}

/** The resource of a v0 flat bag as a v1 provider reads it: the first present alias key. */
export function findV0Resource(
  bag: Readonly<Record<string, string>>,
): { readonly resource: string; readonly field: (typeof V0_RESOURCE_ALIASES)[number] } | undefined {
  for (const field of V0_RESOURCE_ALIASES) {
    const value = bag[field];
    if (value !== undefined && value !== "") return { resource: value, field };
  }
  return undefined;
}

export interface SerializeOptions {
  /** Interface fields, in model order, written (with nulls) after the base keys. */
  readonly extraKeys?: readonly string[];
  /**
   * Emit `mtls-cert` (null unless set), as dpcharmlibs does: in a request right after
   * `secret-mtls` (a base model field), in a response at the very end.
   */
  readonly trailingMtlsCert?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Field checks for writing (each names the field, never the value)

function where(kind: string, key: string): string {
  return `${kind}.${key}`;
}

function optString(obj: Readonly<V1Object>, key: string, kind: string): string | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string")
    throw new ProtocolEncodeError(where(kind, key), `expected a string or null, got ${jsonType(value)}`);
  return value;
}

function optCommaList(obj: Readonly<V1Object>, key: string, kind: string): string | null {
  const value = obj[key];
  if (Array.isArray(value)) return formatCommaList(value as string[], { field: where(kind, key) });
  return optString(obj, key, kind);
}

function optSecretUri(obj: Readonly<V1Object>, key: string, kind: string): string | null {
  const value = optString(obj, key, kind);
  // The Python models validate secret references against `secret:.*`; a bare xid is refused there.
  if (value !== null && !value.startsWith("secret:")) {
    throw new ProtocolEncodeError(where(kind, key), "expected a secret URI (secret:… or secret://…)");
  }
  return value;
}

function requiredString(obj: Readonly<V1Object>, key: string, kind: string): string {
  const value = obj[key];
  if (typeof value !== "string")
    throw new ProtocolEncodeError(where(kind, key), `expected a string, got ${jsonType(value)}`);
  return value;
}

function resourceOf(obj: Readonly<V1Object>, kind: string): { resource: string; consumed?: string } {
  const value = obj["resource"];
  if (value !== undefined && value !== null) {
    if (typeof value !== "string")
      throw new ProtocolEncodeError(where(kind, "resource"), `expected a string, got ${jsonType(value)}`);
    return { resource: value };
  }
  for (const alias of V0_RESOURCE_ALIASES) {
    const aliased = obj[alias];
    if (typeof aliased === "string") return { resource: aliased, consumed: alias };
  }
  return { resource: "" };
}

function entityPermissions(obj: Readonly<V1Object>, kind: string): unknown[] | null {
  const key = "entity-permissions";
  let value = obj[key];
  if (value === undefined || value === null) return null;
  if (typeof value === "string") {
    // The v0 wire form is a JSON string; v1 wants the real array.
    const parsed = parseJson(value);
    if (!parsed.ok) throw new ProtocolEncodeError(where(kind, key), parsed.error);
    value = parsed.value;
  }
  if (!Array.isArray(value))
    throw new ProtocolEncodeError(where(kind, key), `expected an array, got ${jsonType(value)}`);
  return value.map((item, i) => {
    const path = `${where(kind, key)}[${i}]`;
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      throw new ProtocolEncodeError(path, `expected an object, got ${jsonType(item)}`);
    }
    const rec = item as Record<string, unknown>;
    if (typeof rec["resource_name"] !== "string")
      throw new ProtocolEncodeError(`${path}.resource_name`, "expected a string");
    if (typeof rec["resource_type"] !== "string")
      throw new ProtocolEncodeError(`${path}.resource_type`, "expected a string");
    if (!Array.isArray(rec["privileges"]))
      throw new ProtocolEncodeError(`${path}.privileges`, "expected an array");
    // pydantic's EntityPermissionModel: exactly these keys, in this order (extras are ignored).
    return {
      resource_name: rec["resource_name"],
      resource_type: rec["resource_type"],
      privileges: rec["privileges"],
    };
  });
}

/** Ordered key/value pairs; built with `Object.fromEntries` so a `__proto__` key stays a plain key. */
class ObjectBuilder {
  readonly #entries: [string, unknown][] = [];
  readonly #keys = new Set<string>();
  has(key: string): boolean {
    return this.#keys.has(key);
  }
  add(key: string, value: unknown): void {
    if (this.#keys.has(key)) return;
    this.#keys.add(key);
    this.#entries.push([key, value]);
  }
  build(): V1Object {
    return Object.fromEntries(this.#entries);
  }
}

function appendRest(
  out: ObjectBuilder,
  obj: Readonly<V1Object>,
  options: SerializeOptions,
  skip: ReadonlySet<string>,
  trailingMtls: boolean,
): void {
  for (const key of options.extraKeys ?? []) out.add(key, obj[key] ?? null);
  if (trailingMtls) out.add(MTLS_CERT_KEY, obj[MTLS_CERT_KEY] ?? null);
  // Unknown keys are kept (the Python models use extra="allow"), after the known ones.
  for (const [key, value] of Object.entries(obj)) {
    if (!skip.has(key) && value !== undefined) out.add(key, value);
  }
}

/**
 * A request object with every model key present in order, nulls included: `external-node-connectivity`
 * a JSON boolean, `entity-permissions` a real array, then `mtls-cert` (option), interface extras and
 * unknown keys. Aliases (`database`, …) become `resource`. Throws `ProtocolEncodeError` on bad types.
 */
export function serializeRequestObject(req: Readonly<V1Object>, options: SerializeOptions = {}): V1Object {
  const kind = "request";
  const { resource, consumed } = resourceOf(req, kind);
  const enc = req["external-node-connectivity"];
  let connectivity: boolean;
  if (enc === undefined || enc === null) connectivity = false;
  else if (typeof enc === "boolean") connectivity = enc;
  else {
    const parsed = typeof enc === "string" ? parseBool(enc) : undefined;
    if (parsed === undefined)
      throw new ProtocolEncodeError(where(kind, "external-node-connectivity"), "expected a boolean");
    connectivity = parsed;
  }
  const entityType = optString(req, "entity-type", kind);
  if (entityType !== null && entityType !== "USER" && entityType !== "GROUP") {
    throw new ProtocolEncodeError(where(kind, "entity-type"), "expected USER, GROUP or null");
  }
  const out = new ObjectBuilder();
  out.add("resource", resource);
  out.add("request-id", optString(req, "request-id", kind));
  out.add("salt", requiredString(req, "salt", kind));
  out.add("extra-user-roles", optCommaList(req, "extra-user-roles", kind));
  out.add("extra-group-roles", optCommaList(req, "extra-group-roles", kind));
  out.add("external-node-connectivity", connectivity);
  out.add("entity-type", entityType);
  out.add("entity-permissions", entityPermissions(req, kind));
  out.add("secret-mtls", optSecretUri(req, "secret-mtls", kind));
  // In a request `mtls-cert` is a base-model field, so it precedes the interface extras.
  if (options.trailingMtlsCert) out.add(MTLS_CERT_KEY, optString(req, MTLS_CERT_KEY, kind));
  appendRest(out, req, options, new Set(consumed ? [consumed] : []), false);
  return out.build();
}

// Fields whose values live in secrets: a response object must never carry them (§5.3).
const RESPONSE_SECRET_FIELDS: readonly string[] = [
  ...SECRET_GROUPS.user,
  ...SECRET_GROUPS.tls,
  ...SECRET_GROUPS.entity,
];

/**
 * A response object with every model key present in order, nulls included, then interface extras,
 * `mtls-cert` (option, as dpcharmlibs providers end each response) and unknown keys. Throws
 * `ProtocolEncodeError` on bad types and when a secret-backed field (`password`, `tls-ca`, …) is present.
 */
export function serializeResponseObject(resp: Readonly<V1Object>, options: SerializeOptions = {}): V1Object {
  const kind = "response";
  for (const field of RESPONSE_SECRET_FIELDS) {
    if (resp[field] !== undefined && resp[field] !== null) {
      throw new ProtocolEncodeError(
        where(kind, field),
        "secret-backed fields go into the group's secret, not the response",
      );
    }
  }
  const { resource, consumed } = resourceOf(resp, kind);
  const out = new ObjectBuilder();
  out.add("resource", resource);
  out.add("request-id", optString(resp, "request-id", kind));
  out.add("salt", requiredString(resp, "salt", kind));
  out.add("endpoints", optCommaList(resp, "endpoints", kind));
  out.add("read-only-endpoints", optCommaList(resp, "read-only-endpoints", kind));
  out.add("secret-user", optSecretUri(resp, "secret-user", kind));
  out.add("secret-tls", optSecretUri(resp, "secret-tls", kind));
  out.add("secret-extra", optSecretUri(resp, "secret-extra", kind));
  out.add("secret-entity", optSecretUri(resp, "secret-entity", kind));
  out.add("version", optString(resp, "version", kind));
  const skip = new Set([...RESPONSE_SECRET_FIELDS, ...(consumed ? [consumed] : [])]);
  appendRest(out, resp, options, skip, options.trailingMtlsCert === true);
  return out.build();
}

/** The `requests` value: Python JSON of the array. */
export function formatRequests(objects: readonly Readonly<V1Object>[]): string {
  return pyDumps(objects);
}

export type ParseRequestsResult = { ok: true; requests: V1Object[] } | { ok: false; error: string };

/** Read a `requests` value leniently: missing or `""` is `[]`; otherwise a JSON array of objects. */
export function parseRequestsValue(raw: string | undefined | null): ParseRequestsResult {
  if (raw === undefined || raw === null || raw === "") return { ok: true, requests: [] };
  const parsed = parseJson(raw);
  if (!parsed.ok) return parsed;
  if (!Array.isArray(parsed.value)) {
    return { ok: false, error: `expected a JSON array of objects, got ${jsonType(parsed.value)}` };
  }
  for (const [i, item] of parsed.value.entries()) {
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      return { ok: false, error: `expected a JSON array of objects (item ${i} is ${jsonType(item)})` };
    }
  }
  return { ok: true, requests: parsed.value as V1Object[] };
}

// pydantic defaults that `exclude_defaults=True` drops (None is dropped by `exclude_none`).
const DEFAULTS: Readonly<Record<string, unknown>> = { resource: "", "external-node-connectivity": false };

/**
 * One entry of the v1 `data` snapshot: the object without nulls and defaults
 * (`exclude_none=True, exclude_defaults=True`), the keys of `keyOrder` first, then the rest in the
 * object's order. Without `keyOrder` the object's own order is kept (right for objects built by
 * `serializeRequestObject`/`serializeResponseObject` or parsed from the wire).
 */
export function v1DataEntry(obj: Readonly<V1Object>, keyOrder: readonly string[] = []): V1Object {
  const keep = (key: string, value: unknown) =>
    value !== undefined && value !== null && !(Object.hasOwn(DEFAULTS, key) && DEFAULTS[key] === value);
  const entries: [string, unknown][] = [];
  for (const key of keyOrder) {
    if (Object.hasOwn(obj, key) && keep(key, obj[key])) entries.push([key, obj[key]]);
  }
  const ordered = new Set<string>(keyOrder);
  for (const [key, value] of Object.entries(obj)) {
    if (!ordered.has(key) && keep(key, value)) entries.push([key, value]);
  }
  return Object.fromEntries(entries);
}

/**
 * The v1 `data` value: entries keyed by request id (and optionally `status`), in the given order.
 * Built from a Map so the order is exactly the caller's.
 */
export function formatV1Data(entries: Iterable<readonly [string, unknown]>): string {
  return pyDumps(new Map(entries));
}

export type ParsedV1Data =
  | {
      readonly ok: true;
      readonly present: boolean;
      readonly entries: Map<string, V1Object>;
      readonly statuses: RelationStatus[];
    }
  | {
      readonly ok: false;
      readonly present: true;
      readonly entries: Map<string, V1Object>;
      readonly statuses: RelationStatus[];
      readonly error: string;
    };

/**
 * Read a v1 `data` value: request id → object, with the `status` entry split off (§4.7). Missing or
 * `""` is empty. Entries that are not objects are reported and skipped.
 */
export function parseV1Data(raw: string | undefined | null): ParsedV1Data {
  if (raw === undefined || raw === null || raw === "") {
    return { ok: true, present: false, entries: new Map(), statuses: [] };
  }
  const parsed = parseJson(raw);
  if (!parsed.ok) return { ok: false, present: true, entries: new Map(), statuses: [], error: parsed.error };
  const value = parsed.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {
      ok: false,
      present: true,
      entries: new Map(),
      statuses: [],
      error: `expected a JSON object, got ${jsonType(value)}`,
    };
  }
  const entries = new Map<string, V1Object>();
  const errors: string[] = [];
  let statuses: RelationStatus[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (key === STATUS_KEY) {
      const st = parseStatuses(item);
      statuses = st.statuses;
      if (!st.ok) errors.push(st.error);
      continue;
    }
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      errors.push(`entry "${key}" is ${jsonType(item)}, expected an object`);
      continue;
    }
    entries.set(key, item as V1Object);
  }
  return errors.length === 0
    ? { ok: true, present: true, entries, statuses }
    : { ok: false, present: true, entries, statuses, error: errors.join("; ") };
}
