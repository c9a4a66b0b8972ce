/**
 * The v1 requests contract (protocol §5): `version: v1` and a `requests` list of request objects
 * (requirer) or response objects (provider), secrets per request, `data` keyed by request id.
 */

import { IMMUTABLE_RULE } from "../errors.js";
import type { Relation } from "../model/model.js";
import { type StringBag, toBag, wireString } from "../protocol/bag.js";
import { formatCommaList, parseCommaList } from "../protocol/codecs.js";
import { parseJsonObjects, pyDumps } from "../protocol/json.js";
import { groupOf, type SecretGroup } from "../protocol/secrets.js";
import {
  computeRequestId,
  formatRequests,
  formatV1Data,
  generateSalt,
  parseV1Data,
  REQUEST_KEY_ORDER,
  serializeRequestObject,
  serializeResponseObject,
  type V1Object,
  v1DataEntry,
} from "../protocol/v1.js";
import { type IssueCollector, ownValue } from "./issues.js";
import { parsePermissions } from "./permissions.js";
import {
  addRequestedEntitySecret,
  crossModelCert,
  ensureMtlsSecret,
  providerEncryption,
  removeRequestedEntitySecret,
  sentCrossModelPem,
} from "./secrets.js";
import type {
  AnswerBag,
  ProviderChange,
  ProviderContract,
  ProviderHost,
  ProviderRequest,
  RequestSpec,
  RequirerContract,
  RequirerHost,
  WireSpec,
} from "./types.js";

const IMMUTABLE = ["resource", "entity-type", "extra-user-roles", "extra-group-roles"];

function objectOptions(wire: WireSpec, extra: "request" | "response") {
  const keys = extra === "request" ? wire.requestExtraKeys : wire.responseExtraKeys;
  return { ...(keys ? { extraKeys: [...keys] } : {}), trailingMtlsCert: wire.trailingMtlsCert ?? false };
}

function ownRequests(rel: Relation): Record<string, unknown>[] {
  return parseJsonObjects(rel.localApp.get("requests"));
}

// ---------------------------------------------------------------------------------------------
// Requirer

function requestObject(
  rel: Relation,
  spec: RequestSpec,
  host: RequirerHost,
  salt = generateSalt(),
): V1Object {
  const model = host.model;
  const requestId = computeRequestId(spec.resource, salt);
  const withCert = spec.mtlsCert !== undefined && spec.mtlsCert !== "" && host.wire.mtls === true;
  const crossModel = withCert && rel.isCrossModel;
  const mtls =
    withCert && !crossModel ? ensureMtlsSecret(model, rel, requestId, spec.mtlsCert!, undefined) : null;
  return serializeRequestObject(
    {
      resource: spec.resource,
      "request-id": requestId,
      salt,
      "extra-user-roles": spec.extraUserRoles?.length ? formatCommaList(spec.extraUserRoles) : null,
      "extra-group-roles": spec.extraGroupRoles?.length ? formatCommaList(spec.extraGroupRoles) : null,
      "external-node-connectivity": spec.externalNodeConnectivity ?? false,
      "entity-type": spec.entityType ?? null,
      "entity-permissions": spec.entityPermissions ?? null,
      "secret-mtls": mtls,
      ...(crossModel
        ? { "mtls-cert": crossModelCert(model, rel, spec.mtlsCert!, undefined)["mtls-cert"] }
        : {}),
      ...spec.extra,
      ...(spec.requestedEntity
        ? {
            "requested-entity-secret": addRequestedEntitySecret(
              model,
              rel,
              spec.requestedEntity,
              "entity-password",
            ),
          }
        : {}),
    },
    objectOptions(host.wire, "request"),
  );
}

/** Re-send each request's certificate as a fresh cross-model value (`pemOf`: the PEM to send, if any). */
function resendCerts(
  rel: Relation,
  host: RequirerHost,
  pemOf: (obj: V1Object, current: string | undefined) => string | undefined,
  keepCurrent: boolean,
): void {
  const objects = ownRequests(rel);
  let copied: string | undefined;
  for (const obj of objects) {
    const current = typeof obj["mtls-cert"] === "string" ? obj["mtls-cert"] : undefined;
    const pem = pemOf(obj, current);
    if (!pem) continue;
    const sent = crossModelCert(host.model, rel, pem, keepCurrent ? current : undefined);
    obj["mtls-cert"] = sent["mtls-cert"];
    copied = sent["encryption-secret"];
  }
  if (copied) rel.localApp.update({ requests: formatRequests(objects), "encryption-secret": copied });
}

export const v1Requirer: RequirerContract = {
  version: "v1",

  hasRequest: (rel) => rel.localApp.get("requests") !== undefined,

  writeRequest(rel, host) {
    const objects = host.specs().map((spec) => requestObject(rel, spec, host));
    // dpcharmlibs: a cross-model token is paired with a top-level copy of the provider's key URI.
    const encryption = objects.some((o) => typeof o["mtls-cert"] === "string")
      ? providerEncryption(host.model, rel)?.uri
      : undefined;
    rel.localApp.update({
      version: "v1",
      requests: formatRequests(objects),
      "encryption-secret": encryption,
    });
  },

  answers(providerBag, issues, host) {
    if (providerBag.requests === undefined) return [];
    const list = issues.array("requests", providerBag.requests, "expected a JSON array of response objects");
    const specs = host.specs();
    if (!list || !issues.requestCount("requests", list, Math.max(issues.limits.maxRequests, specs.length)))
      return [];
    const out: AnswerBag[] = [];
    const seen = new Set<string>();
    list.forEach((obj, i) => {
      const at = `requests[${i}]`;
      if (!obj || typeof obj !== "object" || Array.isArray(obj)) {
        issues.add(at, "expected a JSON object", obj);
        return;
      }
      const o = obj as Record<string, unknown>;
      const resource = typeof o.resource === "string" ? o.resource : undefined;
      const salt = typeof o.salt === "string" ? o.salt : undefined;
      const expected =
        resource !== undefined && salt !== undefined ? computeRequestId(resource, salt) : undefined;
      const id = typeof o["request-id"] === "string" ? o["request-id"] : expected;
      if (id === undefined) {
        issues.add(`${at}.request-id`, "missing, and no resource + salt to compute it", o["request-id"]);
        return;
      }
      if (expected !== undefined && id !== expected) {
        issues.add(`${at}.request-id`, "does not match sha256(resource:salt)[:16]", id);
        return;
      }
      if (seen.has(id)) {
        issues.add(`${at}.request-id`, "duplicate request id", id);
        return;
      }
      seen.add(id);
      // Not one of our requests (a withdrawn one's leftover, or never ours): nothing to read there.
      if (resource !== undefined && !specs.some((r) => r.resource === resource)) return;
      out.push({ requestId: id, bag: toBag(o), at: `${at}.` });
    });
    return out;
  },

  readSnapshot(raw) {
    const parsed = parseV1Data(raw);
    return {
      bagOf: (id) => toBag(id === undefined ? undefined : parsed.entries.get(id)),
      statuses: parsed.statuses,
    };
  },

  writeSnapshot(entries, statuses) {
    const all: [string, unknown][] = entries.map((e) => [e.requestId ?? "", e.bag]);
    if (statuses.length) all.push(["status", new Map(statuses.map((s) => [String(s.code), s]))]);
    return formatV1Data(all);
  },

  canonical: (key) => key,

  specOf: (_answer, fields, host) => host.specs().find((r) => r.resource === fields.resource),

  readyCount: (host) => host.specs().length,

  setMtlsCert(rel, pem, host) {
    if (rel.localApp.get("requests") === undefined) return;
    if (rel.isCrossModel) {
      resendCerts(rel, host, () => pem, true);
      return;
    }
    const objects = ownRequests(rel);
    for (const obj of objects) {
      const current = typeof obj["secret-mtls"] === "string" ? obj["secret-mtls"] : undefined;
      obj["secret-mtls"] = ensureMtlsSecret(host.model, rel, String(obj["request-id"]), pem, current);
    }
    rel.localApp.set("requests", formatRequests(objects));
  },

  resendCrossModelCert(rel, _providerBag, host) {
    const specs = host.specs();
    resendCerts(
      rel,
      host,
      (obj, current) =>
        specs.find((s) => s.resource === obj.resource)?.mtlsCert ||
        sentCrossModelPem(host.model, rel, current),
      false,
    );
  },

  dropRequestedEntity(rel, host) {
    removeRequestedEntitySecret(host.model, rel);
  },

  addRequest(rel, spec, host) {
    const objects = ownRequests(rel);
    if (objects.some((o) => o.resource === spec.resource)) return;
    objects.push(requestObject(rel, spec, host));
    rel.localApp.update({ version: "v1", requests: formatRequests(objects) });
  },

  removeRequest(rel, resource, host) {
    const objects = ownRequests(rel);
    const keep = objects.filter((o) => o.resource !== resource);
    if (keep.length === objects.length) return;
    for (const gone of objects.filter((o) => o.resource === resource)) {
      if (typeof gone["secret-mtls"] === "string") host.model.secrets.remove(gone["secret-mtls"]);
    }
    rel.localApp.set("requests", formatRequests(keep));
  },
};

// ---------------------------------------------------------------------------------------------
// Provider

interface Answers {
  readonly objects: V1Object[];
  readonly texts: string[];
  readonly index: Map<string, number>;
}

/** The v1 provider side; one per engine (it keeps this hook's parsed requests and answers). */
export class V1Provider implements ProviderContract {
  readonly version = "v1" as const;
  /** Requests parsed per relation, keyed by the raw value (it cannot change within a hook). */
  readonly #parsed = new Map<number, { raw: string | undefined; requests: ProviderRequest[] }>();
  /**
   * This hook's answers per relation, each response's JSON kept while our `requests` value is the one
   * we wrote: K publishes on one relation serialise one response each, not all K (O(K²) → O(K)).
   */
  readonly #answers = new Map<number, Answers>();
  /** Our `data` per relation, parsed once per hook and kept while only publishes change it. */
  readonly #data = new Map<number, Record<string, unknown>>();

  requests(rel: Relation, bag: Readonly<StringBag>, issues: IssueCollector, host: ProviderHost) {
    const cached = this.#parsed.get(rel.id);
    if (cached && cached.raw === bag.requests) return cached.requests;
    const before = issues.issues.length;
    const requests = this.#parse(rel, bag, issues, host);
    if (requests && issues.issues.length === before)
      this.#parsed.set(rel.id, { raw: bag.requests, requests });
    return requests;
  }

  #parse(rel: Relation, bag: Readonly<StringBag>, issues: IssueCollector, host: ProviderHost) {
    const raw = bag.requests;
    if (raw === undefined) return [];
    const list = issues.array("requests", raw, "expected a JSON array of request objects");
    if (!list || !issues.requestCount("requests", list)) return undefined;
    const out: ProviderRequest[] = [];
    const seen = new Set<string>();
    for (const [i, obj] of list.entries()) {
      const at = `requests[${i}]`;
      if (!obj || typeof obj !== "object" || Array.isArray(obj)) {
        issues.add(at, "expected a JSON object", obj);
        continue;
      }
      const o = obj as Record<string, unknown>;
      const resource = ownValue(o, "resource") ?? ownValue(o, host.wire.resourceKey);
      if (typeof resource !== "string" || resource === "") {
        issues.add(`${at}.resource`, "required string", resource);
        continue;
      }
      if (typeof o.salt !== "string" || o.salt === "") {
        issues.add(`${at}.salt`, "required string", o.salt);
        continue;
      }
      const expected = computeRequestId(resource, o.salt);
      const id = o["request-id"] ?? expected;
      if (id !== expected) {
        issues.add(`${at}.request-id`, "does not match sha256(resource:salt)[:16]", id);
        continue;
      }
      if (seen.has(expected)) {
        issues.add(`${at}.request-id`, "duplicate request id", id);
        continue;
      }
      seen.add(expected);
      for (const k of ["extra-user-roles", "extra-group-roles", "secret-mtls"]) {
        if (o[k] !== undefined && o[k] !== null && typeof o[k] !== "string")
          issues.add(`${at}.${k}`, "expected a string or null", o[k]);
      }
      const et = o["entity-type"];
      if (et !== undefined && et !== null && et !== "USER" && et !== "GROUP")
        issues.add(`${at}.entity-type`, "expected USER, GROUP or null", et);
      const enc = o["external-node-connectivity"];
      if (enc !== undefined && typeof enc !== "boolean")
        issues.add(`${at}.external-node-connectivity`, "expected a JSON boolean", enc);
      const rawPerms = o["entity-permissions"];
      const perms =
        rawPerms === undefined || rawPerms === null
          ? undefined
          : parsePermissions(issues, `${at}.entity-permissions`, rawPerms);
      const str = (k: string) => (typeof o[k] === "string" ? (o[k] as string) : undefined);
      const request: ProviderRequest = {
        relation: rel.ref,
        remoteApp: rel.remoteApp,
        contract: "v1",
        requestId: expected,
        salt: o.salt,
        resource,
        extraUserRoles: parseCommaList(str("extra-user-roles")),
        extraGroupRoles: parseCommaList(str("extra-group-roles")),
        externalNodeConnectivity: enc === true,
        ...(et === "USER" || et === "GROUP" ? { entityType: et } : {}),
        ...(perms ? { entityPermissions: perms } : {}),
        ...(str("secret-mtls") !== undefined ? { mtlsSecret: str("secret-mtls")! } : {}),
        raw: { ...o, resource, "request-id": expected },
      };
      const checked = host.check(request, issues);
      if (checked) out.push(checked);
    }
    return issues.ok ? out : undefined;
  }

  changed(
    rel: Relation,
    bag: Readonly<StringBag>,
    issues: IssueCollector,
    host: ProviderHost,
  ): ProviderChange[] {
    const requests = this.requests(rel, bag, issues, host);
    if (!requests) return [];
    const own = rel.localApp;
    const oldRaw = own.get("data");
    const old = parseV1Data(oldRaw).entries;
    const data = new Map<string, V1Object>();
    const changes: ProviderChange[] = [];
    for (const request of requests) {
      const id = request.requestId!;
      const entry = dataEntry(request, host.wire);
      const before = old.get(id);
      data.set(id, entry);
      if (!before) changes.push({ kind: request.entityType ? "entityRequested" : "requested", request });
      else {
        for (const k of IMMUTABLE) {
          if (wireOf(before[k]) !== wireOf(entry[k])) issues.add(`requests[${id}].${k}`, IMMUTABLE_RULE);
        }
        if (wireOf(before["entity-permissions"]) !== wireOf(entry["entity-permissions"]))
          changes.push({ kind: "entityPermissionsChanged", request });
      }
      if (host.wire.mtls) {
        const previous = toBag(before);
        const now = toBag(entry);
        const touched = (k: string) => now[k] !== undefined && now[k] !== previous[k];
        if (touched("secret-mtls") || touched("mtls-cert"))
          changes.push({ kind: "mtls", requestId: id, bag: now, previous, fresh: !before });
      }
    }
    if (!issues.ok) return [];
    // Requests the requirer withdrew: drop their responses and secrets, then tell the charm.
    for (const [id, before] of old) {
      if (data.has(id)) continue;
      const published = this.#dropResponse(rel, id, host);
      changes.push({ kind: "requestRemoved", request: removedRequest(rel, id, before), published });
    }
    const text = formatV1Data(data);
    if (text !== oldRaw) own.set("data", text);
    this.#data.delete(rel.id);
    return changes;
  }

  publish(
    rel: Relation,
    requirerBag: Readonly<StringBag>,
    fields: Readonly<Record<string, string | undefined>>,
    requestId: string | undefined,
    host: ProviderHost,
  ): void {
    if (!requestId) throw new Error(`${rel.name} speaks v1: pass a requestId`);
    const own = rel.localApp;
    // This relation's requests only: answering one relation must not read every other one (O(N) calls).
    const asked = this.requests(rel, requirerBag, host.issues(rel.ref), host);
    const request = asked?.find((r) => r.requestId === requestId);
    const answers = this.#answersOf(rel, host.wire);
    let index = answers.index.get(requestId);
    if (index === undefined) {
      if (!request) throw new Error(`${rel.name}: no request with id ${requestId}`);
      index = answers.objects.length;
      answers.objects.push({
        resource: request.resource,
        "request-id": requestId,
        salt: request.salt ?? null,
      });
      answers.texts.push("[]");
      answers.index.set(requestId, index);
    }
    const response = answers.objects[index]!;
    const groups = new Map<SecretGroup, Record<string, string | undefined>>();
    for (const [field, value] of Object.entries(fields)) {
      const g = ownValue(host.wire.fields, field) ?? groupOf(field);
      // v1 puts the protocol groups in secrets; `extra` only for the fields the interface declares.
      if (g !== "extra" || ownValue(host.wire.fields, field) === "extra")
        groups.set(g, { ...groups.get(g), [field]: value });
      else response[field] = value ?? null;
    }
    for (const [group, values] of groups) {
      const key = `secret-${group}`;
      const current = typeof response[key] === "string" ? (response[key] as string) : undefined;
      response[key] = host.writeGroup(rel, requestId, group, current, values) ?? null;
    }
    try {
      // The list's JSON is each object's JSON joined by ", " in brackets: serialise this response
      // alone, and join the list once, when the bag is flushed (K answers cost O(K)).
      answers.texts[index] = responseText(response, host.wire);
    } catch (e) {
      this.#answers.delete(rel.id); // the cached objects hold the rejected value
      throw e;
    }
    own.set("version", "v1");
    own.setLazy("requests", () => `[${answers.texts.join(", ")}]`);
    // Python v1 requirers stall without a `data` entry for every answered id (I-10, §5.6).
    if (request) {
      const data = this.#dataOf(rel);
      if (!Object.hasOwn(data, requestId)) {
        data[requestId] = dataEntry(request, host.wire);
        own.setLazy("data", () => pyDumps(data));
      }
    }
  }

  answerOf(rel: Relation, requestId: string | undefined): StringBag {
    return toBag(ownRequests(rel).find((r) => r["request-id"] === requestId));
  }

  answered(rel: Relation, requestId: string | undefined): boolean {
    return this.answerOf(rel, requestId)["secret-user"] !== undefined;
  }

  /** This hook's answers of a relation: our `requests` parsed once, then kept (we are its only writer). */
  #answersOf(rel: Relation, wire: WireSpec): Answers {
    let answers = this.#answers.get(rel.id);
    if (!answers) {
      const objects = ownRequests(rel);
      const index = new Map<string, number>();
      for (const [i, o] of objects.entries()) {
        const id = o["request-id"];
        if (typeof id === "string" && !index.has(id)) index.set(id, i);
      }
      answers = { objects, texts: objects.map((o) => responseText(o, wire)), index };
      this.#answers.set(rel.id, answers);
    }
    return answers;
  }

  /** Our `data` of a relation, parsed once per hook (then kept: we are its only writer). */
  #dataOf(rel: Relation): Record<string, unknown> {
    let data = this.#data.get(rel.id);
    if (!data) {
      data = Object.create(null) as Record<string, unknown>;
      for (const [id, entry] of parseV1Data(rel.localApp.get("data")).entries) data[id] = entry;
      this.#data.set(rel.id, data);
    }
    return data;
  }

  /** Remove a withdrawn request's response and its secrets; what was published for it, read first. */
  #dropResponse(rel: Relation, requestId: string, host: ProviderHost): StringBag {
    const own = rel.localApp;
    const responses = ownRequests(rel);
    const keep = responses.filter((r) => r["request-id"] !== requestId);
    let published: StringBag = {};
    for (const gone of responses.filter((r) => r["request-id"] === requestId)) {
      published = host.published(toBag(gone), undefined);
      for (const [k, v] of Object.entries(gone)) {
        if (k.startsWith("secret-") && typeof v === "string") host.model.secrets.remove(v);
      }
    }
    if (keep.length !== responses.length) own.set("requests", formatRequests(keep));
    this.#answers.delete(rel.id);
    return published;
  }
}

/** The provider's `data` entry for a request: the request model without nulls and defaults. */
function dataEntry(request: ProviderRequest, wire: WireSpec): V1Object {
  const normalised = serializeRequestObject(request.raw as V1Object, objectOptions(wire, "request"));
  return v1DataEntry(normalised, REQUEST_KEY_ORDER);
}

/** One response object as it appears inside `requests`. */
function responseText(response: V1Object, wire: WireSpec): string {
  return formatRequests([serializeResponseObject(response, objectOptions(wire, "response"))]).slice(1, -1);
}

/** A withdrawn request, rebuilt from our `data` entry of it (what it asked for). */
function removedRequest(rel: Relation, requestId: string, entry: V1Object): ProviderRequest {
  const str = (k: string) => (typeof entry[k] === "string" ? (entry[k] as string) : undefined);
  const et = entry["entity-type"];
  return {
    relation: rel.ref,
    remoteApp: rel.remoteApp,
    contract: "v1",
    requestId,
    ...(str("salt") !== undefined ? { salt: str("salt")! } : {}),
    resource: str("resource") ?? "",
    extraUserRoles: parseCommaList(str("extra-user-roles")),
    extraGroupRoles: parseCommaList(str("extra-group-roles")),
    externalNodeConnectivity: entry["external-node-connectivity"] === true,
    ...(et === "USER" || et === "GROUP" ? { entityType: et } : {}),
    raw: entry,
  };
}

function wireOf(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : wireString(v);
}
