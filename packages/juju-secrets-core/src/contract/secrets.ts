/**
 * The secrets an app owns on a relation (protocol §6.3): a group's secret created, updated in place
 * or removed; the requirer's `mtls` and requested-entity secrets; the cross-model Fernet path (§7).
 */

import type { Model, Relation } from "../model/model.js";
import { fernetDecrypt, fernetEncrypt } from "../protocol/fernet.js";
import { requestedEntityLabel, type SecretGroup, secretLabel } from "../protocol/secrets.js";
import type { RequestSpec } from "./types.js";

/**
 * Create, update in place, or remove one group's secret (leader). `undefined` values remove a field.
 * Returns the URI to publish, or undefined when the secret ended up empty and was removed.
 */
export function writeGroup(
  model: Model,
  rel: Relation,
  requestId: string | undefined,
  group: SecretGroup,
  uri: string | undefined,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const secrets = model.secrets;
  const current = uri ? (secrets.readOwned(uri) ?? {}) : {};
  const merged: Record<string, string> = { ...current };
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  if (Object.keys(merged).length === 0) {
    if (uri) secrets.remove(uri);
    return undefined;
  }
  if (uri) {
    // Compared before `secret-set` by the store: unchanged content mints no revision (issue #164).
    secrets.update(uri, merged);
    return uri;
  }
  const label = secretLabel({
    endpoint: rel.endpoint,
    relationId: rel.id,
    ...(requestId ? { requestId } : {}),
    group,
  });
  const created = secrets.add(merged, { label, owner: "application" });
  secrets.grant(created, rel.ref);
  return created;
}

/** Create (or update in place) the requirer-owned mTLS secret of a relation/request. */
export function ensureMtlsSecret(
  model: Model,
  rel: Relation,
  requestId: string | undefined,
  pem: string,
  existing: string | undefined,
): string {
  return writeGroup(model, rel, requestId, "mtls", existing, { "mtls-cert": pem }) as string;
}

/** The provider's cross-model Fernet key (§7): its `encryption-secret` URI and key, once readable. */
export function providerEncryption(model: Model, rel: Relation): { uri: string; key: string } | undefined {
  const uri = rel.remoteAppData()["encryption-secret"];
  if (!uri) return undefined;
  const read = model.secrets.read(uri, { mode: "refresh" });
  const key = read.ok ? read.content["encryption-key"] : undefined;
  return key ? { uri, key } : undefined;
}

/**
 * Cross-model `mtls-cert` (§7): a Fernet token under the provider's key with a copy of its
 * `encryption-secret` URI, or the plain PEM until the provider published one (Python does the same).
 * A current token that already decrypts to this PEM is kept: a fresh token would wake the provider.
 */
export function crossModelCert(
  model: Model,
  rel: Relation,
  pem: string,
  current: string | undefined,
): { "mtls-cert": string; "encryption-secret"?: string } {
  const enc = providerEncryption(model, rel);
  if (!enc) return { "mtls-cert": pem };
  let keep = false;
  try {
    keep = current !== undefined && fernetDecrypt(enc.key, current) === pem;
  } catch {
    keep = false; // plain PEM or a token under an older key
  }
  return { "mtls-cert": keep ? current! : fernetEncrypt(enc.key, pem), "encryption-secret": enc.uri };
}

/** The certificate we sent cross-model, recovered from our own bag (plain, or a token under our copied key). */
export function sentCrossModelPem(
  model: Model,
  rel: Relation,
  value: string | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  const copied = rel.localApp.get("encryption-secret");
  if (copied === undefined) return value;
  const read = model.secrets.read(copied, { mode: "refresh" });
  const key = read.ok ? read.content["encryption-key"] : undefined;
  try {
    return key ? fernetDecrypt(key, value) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The requirer-owned auxiliary secret naming the entity the provider should create (§4.10). The
 * password key is `password` in v0 and `entity-password` in v1 (I-24).
 */
export function addRequestedEntitySecret(
  model: Model,
  rel: Relation,
  entity: NonNullable<RequestSpec["requestedEntity"]>,
  passwordKey: "password" | "entity-password",
): string {
  const content: Record<string, string> = { "entity-name": entity.name };
  if (entity.password) content[passwordKey] = entity.password;
  const label = requestedEntityLabel(model.modelUuid, rel.id);
  const uri = model.secrets.add(content, { label, owner: "application" });
  model.secrets.grant(uri, rel.ref);
  return uri;
}

/** Remove the requested-entity secret of a relation, found by its label (v1 keeps no URI of it). */
export function removeRequestedEntitySecret(model: Model, rel: Relation): void {
  const label = requestedEntityLabel(model.modelUuid, rel.id);
  const info = model.secrets.infoByLabel(label);
  if (!info) return;
  model.secrets.remove(info.id);
  model.secrets.forgetLabel(label);
}
