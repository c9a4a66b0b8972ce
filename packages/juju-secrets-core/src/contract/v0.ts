/**
 * The v0 flat contract (protocol §4): every field a top-level key of the app bags, one request per
 * relation, `requested-secrets` deciding what travels in secrets, `data` snapshots of the other
 * side's app bag.
 */

import { IMMUTABLE_RULE, PrematureWriteError, RemoteDataError } from "../errors.js";
import type { Model, Relation } from "../model/model.js";
import { omitKeys, type StringBag } from "../protocol/bag.js";
import { formatCommaList, parseBool, parseCommaList } from "../protocol/codecs.js";
import { pyDumps } from "../protocol/json.js";
import {
  DEFAULT_PROVIDED_SECRETS,
  groupOf,
  isCredentialField,
  type SecretGroup,
} from "../protocol/secrets.js";
import { diffBags, parseV0Snapshot, v0Snapshot } from "../protocol/snapshot.js";
import { parseStatuses } from "../protocol/status.js";
import { canonicalKey, flatKey, type IssueCollector, ownValue } from "./issues.js";
import { PERMISSIONS_RULE, parsePermissions } from "./permissions.js";
import { addRequestedEntitySecret, crossModelCert, ensureMtlsSecret, sentCrossModelPem } from "./secrets.js";
import type {
  EntityPermission,
  ProviderChange,
  ProviderContract,
  ProviderHost,
  ProviderRequest,
  RequirerContract,
} from "./types.js";

/** Until the request arrives, a provider writes only these (protocol §4.5). */
const PREMATURE_OK = new Set(["endpoints", "read-only-endpoints", "replset", "encryption-secret"]);
/** Request keys a provider may not see change once the request was made (I-13). */
const IMMUTABLE = ["entity-type", "extra-user-roles", "extra-group-roles"];
/** Keys of the provider app bag that are never part of an answer. */
const NOT_ANSWER = ["data"];

export const v0Requirer: RequirerContract = {
  version: "v0",

  hasRequest: (rel, host) => rel.localApp.get(host.wire.resourceKey) !== undefined,

  writeRequest(rel, host) {
    const spec = host.specs()[0]!;
    const model = host.model;
    const crossModel = rel.isCrossModel;
    const provided = crossModel ? [] : [...DEFAULT_PROVIDED_SECRETS];
    const values: Record<string, string | undefined> = {
      [host.wire.resourceKey]: spec.resource,
      "requested-secrets": pyDumps(host.requestedSecrets),
      "provided-secrets": provided.length ? pyDumps(provided) : undefined,
      "extra-user-roles": spec.extraUserRoles?.length ? formatCommaList(spec.extraUserRoles) : undefined,
      "extra-group-roles": spec.extraGroupRoles?.length ? formatCommaList(spec.extraGroupRoles) : undefined,
      "entity-type": spec.entityType,
      "entity-permissions": spec.entityPermissions ? pyDumps(spec.entityPermissions) : undefined,
      "external-node-connectivity": spec.externalNodeConnectivity ? "true" : undefined,
      ...spec.extra,
    };
    if (spec.requestedEntity) {
      values["requested-entity-secret"] = addRequestedEntitySecret(
        model,
        rel,
        spec.requestedEntity,
        "password",
      );
    }
    if (spec.mtlsCert && host.wire.mtls) {
      // Cross-model: requirer secrets cannot cross models, the certificate travels in the bag (§7).
      if (crossModel) Object.assign(values, crossModelCert(model, rel, spec.mtlsCert, undefined));
      else values["secret-mtls"] = ensureMtlsSecret(model, rel, undefined, spec.mtlsCert, undefined);
    }
    rel.localApp.update(values);
    // Python keeps a unit copy of the lists (non-leaders cannot read their app bag).
    rel.localUnit.update({
      "requested-secrets": values["requested-secrets"],
      "provided-secrets": values["provided-secrets"],
    });
  },

  answers(providerBag, issues) {
    const bag = omitKeys(providerBag, NOT_ANSWER);
    const sub = providerBag.subordinated;
    if (sub !== undefined && parseBool(sub) === undefined)
      issues.add("subordinated", "expected a boolean", sub);
    return [{ requestId: undefined, bag, at: "" }];
  },

  readSnapshot(raw) {
    const parsed = parseV0Snapshot(raw);
    const bag = parsed.ok ? parsed.bag : {};
    const statuses = parseStatuses(bag.status).statuses;
    return { bagOf: () => bag, statuses };
  },

  writeSnapshot(entries) {
    return v0Snapshot(entries[0]?.bag ?? {});
  },

  canonical: (key, host) => canonicalKey(key, host.wire.v0Keys),

  specOf: (_answer, _fields, host) => host.specs()[0],

  readyCount: () => 1,

  setMtlsCert(rel, pem, host) {
    // Not requested yet: the request, when written, carries the new certificate.
    if (rel.localApp.get(host.wire.resourceKey) === undefined) return;
    if (rel.isCrossModel) {
      rel.localApp.update(crossModelCert(host.model, rel, pem, rel.localApp.get("mtls-cert")));
      return;
    }
    const uri = ensureMtlsSecret(host.model, rel, undefined, pem, rel.localApp.get("secret-mtls"));
    rel.localApp.set("secret-mtls", uri);
  },

  resendCrossModelCert(rel, _providerBag, host) {
    if (rel.localApp.get(host.wire.resourceKey) === undefined) return; // request not written yet
    const pem =
      host.specs()[0]?.mtlsCert || sentCrossModelPem(host.model, rel, rel.localApp.get("mtls-cert"));
    if (pem) rel.localApp.update(crossModelCert(host.model, rel, pem, undefined));
  },

  dropRequestedEntity(rel, host) {
    const uri = rel.localApp.get("requested-entity-secret");
    if (uri === undefined) return;
    host.model.secrets.remove(uri);
    rel.localApp.delete("requested-entity-secret");
  },

  addRequest() {
    throw new Error("addRequest needs the v1 contract");
  },
  removeRequest() {
    throw new Error("removeRequest needs the v1 contract");
  },
};

export const v0Provider: ProviderContract = {
  version: "v0",

  requests(rel, bag, issues, host) {
    if (bag[host.wire.resourceKey] === undefined) return []; // nothing asked yet
    const request = parseRequest(rel, bag, issues, host);
    return request ? [request] : undefined;
  },

  changed(rel, bag, issues, host) {
    const key = host.wire.resourceKey;
    if (bag[key] === undefined) return []; // nothing asked yet
    const request = parseRequest(rel, bag, issues, host);
    if (!request) return [];
    const own = rel.localApp;
    const oldRaw = own.get("data");
    // Our own snapshot: unreadable means start over rather than fail forever.
    const previous = parseV0Snapshot(oldRaw).bag;
    const current = omitKeys(bag, ["data"]);
    const diff = diffBags(previous, current);
    if (previous[key] !== undefined) {
      for (const k of [key, ...IMMUTABLE]) {
        if (diff.changed.includes(k) || (diff.added.includes(k) && k !== key) || diff.deleted.includes(k)) {
          issues.add(k, IMMUTABLE_RULE);
        }
      }
      if (!issues.ok) return [];
    }
    const changes: ProviderChange[] = [];
    if (diff.added.includes(key)) {
      changes.push({ kind: request.entityType ? "entityRequested" : "requested", request });
    } else if (diff.added.includes("entity-permissions") || diff.changed.includes("entity-permissions")) {
      changes.push({ kind: "entityPermissionsChanged", request });
    }
    const touched = (k: string) => diff.added.includes(k) || diff.changed.includes(k);
    if (host.wire.mtls && (touched("secret-mtls") || touched("mtls-cert"))) {
      changes.push({
        kind: "mtls",
        requestId: undefined,
        bag: current,
        previous,
        fresh: diff.added.includes(key),
      });
    }
    const snapshot = v0Snapshot(current);
    if (snapshot !== oldRaw) own.set("data", snapshot);
    return changes;
  },

  publish(rel, requirerBag, fields, _requestId, host) {
    if (requirerBag[host.wire.resourceKey] === undefined) {
      const early = Object.keys(fields).filter((k) => !PREMATURE_OK.has(k));
      if (early.length) throw new PrematureWriteError(rel.ref, early);
    }
    const model = host.model;
    const requested = readRequestedSecrets(rel, requirerBag, host);
    const own = rel.localApp;
    const flat = (f: string) => flatKey(f, host.wire.v0Keys);
    // Sticky plain mode: a relation that already carries requested fields in plain text stays plain.
    const sticky = requested?.some((f) => own.get(flat(f)) !== undefined) ?? false;
    const useSecrets = requested !== undefined && requested.length > 0 && !sticky && hasSecrets(model);
    const groups = new Map<SecretGroup, Record<string, string | undefined>>();
    for (const [field, value] of Object.entries(fields)) {
      if (useSecrets && requested.includes(field)) {
        const g = ownValue(host.wire.fields, field) ?? groupOf(field);
        groups.set(g, { ...groups.get(g), [field]: value });
      } else if (useSecrets && isCredentialField(field)) {
        // I-26: never publish a credential in plain text to a requirer that uses secrets.
        model.log(
          "WARNING",
          `${rel.name}: requirer did not request "${field}" as a secret; not publishing it`,
        );
      } else {
        own.set(flat(field), value);
      }
    }
    for (const [group, values] of groups) {
      own.set(`secret-${group}`, host.writeGroup(rel, undefined, group, own.get(`secret-${group}`), values));
    }
  },

  answerOf(rel) {
    return omitKeys(rel.localApp.all(), ["data", "status"]);
  },

  answered(rel) {
    const own = rel.localApp;
    return own.get("secret-user") !== undefined || own.get("username") !== undefined;
  },
};

function readRequestedSecrets(
  rel: Relation,
  requirerBag: Readonly<StringBag>,
  host: ProviderHost,
): string[] | undefined {
  const issues = host.issues(rel.ref);
  const requested = issues.stringArray("requested-secrets", requirerBag["requested-secrets"]);
  if (!issues.ok) throw new RemoteDataError(issues.issues);
  return requested;
}

/** The v0 request of a requirer app bag; undefined (issues recorded) when malformed. */
function parseRequest(
  rel: Relation,
  bag: Readonly<StringBag>,
  issues: IssueCollector,
  host: ProviderHost,
): ProviderRequest | undefined {
  const before = issues.issues.length;
  const requested = issues.stringArray("requested-secrets", bag["requested-secrets"]);
  issues.stringArray("provided-secrets", bag["provided-secrets"]);
  const entityType = bag["entity-type"];
  if (entityType !== undefined && entityType !== "USER" && entityType !== "GROUP") {
    issues.add("entity-type", "expected USER or GROUP", entityType);
  }
  let permissions: EntityPermission[] | undefined;
  const rawPermissions = bag["entity-permissions"];
  if (rawPermissions !== undefined) {
    const parsed = issues.json("entity-permissions", rawPermissions, PERMISSIONS_RULE);
    if (parsed.ok) permissions = parsePermissions(issues, "entity-permissions", parsed.value);
  }
  const enc = bag["external-node-connectivity"];
  if (enc !== undefined && parseBool(enc) === undefined) {
    issues.add("external-node-connectivity", "expected a boolean", enc);
  }
  if (issues.issues.length > before) return undefined;
  const request: ProviderRequest = {
    relation: rel.ref,
    remoteApp: rel.remoteApp,
    contract: "v0",
    resource: bag[host.wire.resourceKey] ?? "",
    extraUserRoles: parseCommaList(bag["extra-user-roles"]),
    extraGroupRoles: parseCommaList(bag["extra-group-roles"]),
    externalNodeConnectivity: parseBool(enc) === true,
    ...(entityType === "USER" || entityType === "GROUP" ? { entityType } : {}),
    ...(permissions ? { entityPermissions: permissions } : {}),
    ...(requested !== undefined ? { requestedSecrets: requested } : {}),
    ...(bag["secret-mtls"] ? { mtlsSecret: bag["secret-mtls"] } : {}),
    raw: bag,
  };
  return host.check(request, issues);
}

/** Secrets need Juju ≥ 3.0.3; older agents get the plain-text contract. */
function hasSecrets(model: Model): boolean {
  const [major = 0, minor = 0, patch = 0] = model.context.jujuVersion
    .split(/[.-]/)
    .map((p) => Number.parseInt(p, 10) || 0);
  return major > 3 || (major === 3 && (minor > 0 || patch >= 3));
}
