/**
 * The generic provider side of the data-interfaces protocol: reads v0 flat and v1 requests on the same
 * endpoint, keeps the `data` snapshot, emits request events on the leader, and publishes answers with
 * the right secret routing (protocol §4.4, §5.5, §10).
 */

import type { RelationRef } from "../backend/types.js";
import { PrematureWriteError, RemoteDataError } from "../errors.js";
import type { Charm } from "../hook/charm.js";
import { Emitter } from "../hook/emitter.js";
import type { RemoteLimits } from "../limits.js";
import { DepartureMarker } from "../model/departure.js";
import type { Model, Relation } from "../model/model.js";
import { parseBool, parseCommaList } from "../protocol/codecs.js";
import { fernetDecrypt, generateFernetKey } from "../protocol/fernet.js";
import { parseJson, parseJsonObjects, pyDumps } from "../protocol/json.js";
import {
  encryptionSecretLabel,
  groupOf,
  isCredentialField,
  parseSecretLabel,
  type SecretGroup,
  secretLabel,
} from "../protocol/secrets.js";
import { diffBags, v0Snapshot } from "../protocol/snapshot.js";
import { formatStatuses, type RelationStatus } from "../protocol/status.js";
import {
  computeRequestId,
  formatRequests,
  REQUEST_KEY_ORDER,
  serializeRequestObject,
  serializeResponseObject,
  type V1Object,
  v1DataEntry,
} from "../protocol/v1.js";
import {
  canonicalKey,
  IssueCollector,
  ownValue,
  remoteLimits,
  tearDownBrokenRelation,
  wireString,
} from "./common.js";
import type { Contract, EntityPermission, InterfaceDefinition } from "./definition.js";
import { emitOrBlock, type RelationGoneEvent, type RelationInvalidEvent } from "./events.js";

/** A request as the provider sees it, whatever the contract. */
export interface ProviderRequest {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only (a v0 requirer has one implicit request). */
  readonly requestId?: string;
  readonly salt?: string;
  readonly resource: string;
  readonly extraUserRoles: readonly string[];
  readonly extraGroupRoles: readonly string[];
  readonly externalNodeConnectivity: boolean;
  readonly entityType?: "USER" | "GROUP";
  readonly entityPermissions?: readonly EntityPermission[];
  /** v0: the fields the requirer wants in secrets; undefined when it sent none (plain-text fallback). */
  readonly requestedSecrets?: readonly string[];
  /** URI of the requirer-owned mTLS secret, if any. */
  readonly mtlsSecret?: string;
  /** Every key of the request as sent (v0: flat bag strings; v1: object values). */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface DataProviderOptions {
  /**
   * Called on relation-broken (leader) before the relation's secrets are removed; return true to keep
   * them. A unit that is being removed (LP#1979811) keeps them anyway (see `isDeparting`); this is for
   * the charm's own rules on top.
   */
  readonly retainSecretsOnBroken?: (relation: RelationRef) => boolean;
  /** Where this unit remembers that it is departing (default `<charm dir>/.charm-relations`). */
  readonly stateDir?: string;
  /**
   * Interface-level check of a parsed request (e.g. a zod schema of the requirer bag). An invalid
   * request is reported with `requestInvalid`, gets no event, and its snapshot does not advance, so a
   * corrected request is seen as new.
   */
  readonly validateRequest?: (request: ProviderRequest) => RemoteDataError | undefined;
  /**
   * Limits on what requirers write (value size, JSON depth, v1 requests per relation; see
   * `DEFAULT_REMOTE_LIMITS`). A relation over a limit gets `requestInvalid` and nothing is written for
   * it; the others are served as usual.
   */
  readonly limits?: Partial<RemoteLimits>;
}

/** The entity a requirer asked for in its `requested-entity-secret` (§4.10), as the provider reads it. */
export type RequestedEntityRead =
  | { readonly ok: true; readonly name: string; readonly password?: string }
  | { readonly ok: false; readonly reason: "absent" | "not-found" | "permission-denied" | "invalid" };

export interface ProviderEventMap {
  requested: { readonly request: ProviderRequest };
  entityRequested: { readonly request: ProviderRequest };
  entityPermissionsChanged: { readonly request: ProviderRequest };
  /** v1: a request id disappeared; its response and secrets are already gone. */
  requestRemoved: { readonly relation: RelationRef; readonly requestId: string; readonly resource: string };
  /** A malformed request, or an immutable field changed (I-13); the previous answer stays. */
  requestInvalid: RelationInvalidEvent;
  /** The client certificate of a request appeared or changed. */
  mtlsCertUpdated: {
    readonly relation: RelationRef;
    readonly requestId?: string;
    readonly oldCert?: string;
    readonly cert: string;
  };
  /** relation-broken; unless `departing`, the leader already removed the secrets this app created for it. */
  gone: RelationGoneEvent;
}

/** Until the request arrives, only these may be written (protocol §4.5). */
const PREMATURE_OK = new Set(["endpoints", "read-only-endpoints", "replset", "encryption-secret"]);
const IMMUTABLE_V0 = ["entity-type", "extra-user-roles", "extra-group-roles"];
const IMMUTABLE_V1 = ["resource", "entity-type", "extra-user-roles", "extra-group-roles"];

type Fields = Readonly<Record<string, string | undefined>>;

export class DataProvider {
  readonly events = new Emitter<ProviderEventMap>();
  readonly charm: Charm;
  readonly endpoint: string;
  readonly definition: InterfaceDefinition;
  readonly #retainSecretsOnBroken: DataProviderOptions["retainSecretsOnBroken"];
  readonly #validateRequest: DataProviderOptions["validateRequest"];
  readonly #limits: RemoteLimits;
  readonly #departure: DepartureMarker;
  /**
   * v1 requests parsed per relation (keyed by the raw `requests` value, which cannot change within a
   * hook): publishing K answers would otherwise re-parse and re-validate every request K times.
   */
  readonly #v1Parsed = new Map<number, { raw: string | undefined; requests: ProviderRequest[] }>();
  /**
   * This hook's v1 answers per relation: the response objects and each one's JSON, kept while our
   * `requests` value is the one we wrote, so K publishes on one relation serialise one response each
   * instead of all K (O(K²) → O(K)).
   */
  readonly #v1Answers = new Map<
    number,
    { objects: V1Object[]; texts: string[]; index: Map<string, number> }
  >();
  /** Our v1 `data` per relation, parsed once per hook and kept while only publishes change it. */
  readonly #v1Data = new Map<number, Record<string, unknown>>();

  constructor(
    charm: Charm,
    endpoint: string,
    definition: InterfaceDefinition,
    options: DataProviderOptions = {},
  ) {
    this.charm = charm;
    this.endpoint = endpoint;
    this.definition = definition;
    this.#retainSecretsOnBroken = options.retainSecretsOnBroken;
    this.#validateRequest = options.validateRequest;
    this.#limits = remoteLimits(options.limits);
    this.#departure = new DepartureMarker(
      charm.model,
      options.stateDir ? { stateDir: options.stateDir } : {},
    );
    const filter = { endpoint };
    charm.on("relationDeparted", (e) => this.#departure.departed(e.relation.ref, e.departingUnit), filter);
    charm.on("relationCreated", (e) => this.#onCreated(e.context.relation!), filter);
    charm.on("relationChanged", (e) => this.#onChanged(e.context.relation!), filter);
    charm.on("relationBroken", (e) => this.#onBroken(e.context.relation!, e.context.remoteApp), filter);
    charm.on("secretChanged", (e) => this.#onSecretChanged(e.context.secretId, e.context.secretLabel));
    charm.on("secretRemove", (e) =>
      this.#onSecretRemove(e.context.secretLabel, e.secretId, e.secretRevision),
    );
  }

  get model(): Model {
    return this.charm.model;
  }

  #issues(relation: RelationRef): IssueCollector {
    return new IssueCollector(relation, "requirer", "app", this.#limits);
  }

  // ------------------------------------------------------------------------------------------
  // Reading requests

  async #onCreated(ref: RelationRef): Promise<void> {
    if (!this.definition.crossModelEncryption) return;
    const rel = this.model.relation(ref);
    // Same-model relations (the common case) need no key: ask relation-model-get before is-leader.
    if (!rel.isCrossModel || !this.model.isLeader()) return;
    if (rel.localApp.get("encryption-secret") !== undefined) return;
    const uri = this.model.secrets.add(
      { "encryption-key": generateFernetKey() },
      { label: encryptionSecretLabel(this.model.modelUuid, ref.id), owner: "application" },
    );
    this.model.secrets.grant(uri, ref);
    rel.localApp.set("encryption-secret", uri);
  }

  async #onChanged(ref: RelationRef): Promise<void> {
    // Non-leaders cannot read the provider's own snapshot; they rebuild state from `requests()`.
    if (!this.model.isLeader()) return;
    const rel = this.model.relation(ref);
    const requirerBag = rel.remoteAppData();
    const issues = this.#issues(ref);
    if (!issues.withinLimits(requirerBag))
      return this.#reportInvalid(ref, new RemoteDataError(issues.issues));
    const version = requirerBag.version;
    if (version !== undefined && version !== "v1") {
      issues.add("version", 'expected "v1" or no version key (v0)', version);
      return this.#reportInvalid(ref, new RemoteDataError(issues.issues));
    }
    const pending: Array<() => Promise<void>> = [];
    if (version === "v1") this.#changedV1(rel, requirerBag, issues, pending);
    else this.#changedV0(rel, requirerBag, issues, pending);
    if (issues.issues.length) return this.#reportInvalid(ref, new RemoteDataError(issues.issues));
    for (const run of pending) await run();
  }

  #changedV0(
    rel: Relation,
    bag: Readonly<Record<string, string>>,
    issues: IssueCollector,
    pending: Array<() => Promise<void>>,
  ): void {
    const key = this.definition.resourceKey;
    if (bag[key] === undefined) return; // nothing asked yet
    const request = this.#parseV0(rel, bag, issues);
    if (!request) return;
    const own = rel.localApp;
    const oldRaw = own.get("data");
    const old =
      oldRaw === undefined ? {} : (issues.object("data", oldRaw) as Record<string, string> | undefined);
    if (old === undefined) {
      // Our own snapshot is unreadable: start over rather than fail forever.
      issues.issues.pop();
    }
    const previous = old ?? {};
    const current: Record<string, string> = {};
    for (const [k, v] of Object.entries(bag)) if (k !== "data") current[k] = v;
    const diff = diffBags(previous, current);
    if (previous[key] !== undefined) {
      for (const k of [key, ...IMMUTABLE_V0]) {
        if (diff.changed.includes(k) || (diff.added.includes(k) && k !== key) || diff.deleted.includes(k)) {
          issues.add(k, "cannot change after the request was made");
        }
      }
      if (issues.issues.length) return;
    }
    if (diff.added.includes(key)) {
      const kind = request.entityType ? "entityRequested" : "requested";
      pending.push(() => this.events.emit(kind, { request }));
    } else if (diff.added.includes("entity-permissions") || diff.changed.includes("entity-permissions")) {
      pending.push(() => this.events.emit("entityPermissionsChanged", { request }));
    }
    if (this.definition.mtls) this.#queueMtlsEvent(rel, undefined, diff, bag, previous, pending);
    const snapshot = v0Snapshot(current);
    if (snapshot !== oldRaw) own.set("data", snapshot);
  }

  #parseV0(
    rel: Relation,
    bag: Readonly<Record<string, string>>,
    issues: IssueCollector,
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
      if (parsed.ok) permissions = parsePermissions(issues, "entity-permissions", parsed);
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
      resource: bag[this.definition.resourceKey] ?? "",
      extraUserRoles: parseCommaList(bag["extra-user-roles"]),
      extraGroupRoles: parseCommaList(bag["extra-group-roles"]),
      externalNodeConnectivity: parseBool(enc) === true,
      ...(entityType === "USER" || entityType === "GROUP" ? { entityType } : {}),
      ...(permissions ? { entityPermissions: permissions } : {}),
      ...(requested !== undefined ? { requestedSecrets: requested } : {}),
      ...(bag["secret-mtls"] ? { mtlsSecret: bag["secret-mtls"] } : {}),
      raw: bag,
    };
    return this.#checked(request, issues);
  }

  /** The interface's own check of a request; its issues join the hook's (see `validateRequest`). */
  #checked(request: ProviderRequest, issues: IssueCollector): ProviderRequest | undefined {
    const bad = this.#validateRequest?.(request);
    if (!bad) return request;
    issues.issues.push(...bad.issues);
    return undefined;
  }

  #changedV1(
    rel: Relation,
    bag: Readonly<Record<string, string>>,
    issues: IssueCollector,
    pending: Array<() => Promise<void>>,
  ): void {
    const requests = this.#requestsV1(rel, bag, issues);
    if (!requests) return;
    const own = rel.localApp;
    const oldRaw = own.get("data");
    const old = ownObject(oldRaw) as Record<string, Record<string, unknown>>;
    const data: Record<string, unknown> = Object.create(null);
    for (const request of requests) {
      const id = request.requestId!;
      const entry = this.#dataEntry(request);
      const before = ownValue(old, id);
      data[id] = entry;
      if (!before) {
        const kind = request.entityType ? "entityRequested" : "requested";
        pending.push(() => this.events.emit(kind, { request }));
      } else {
        for (const k of IMMUTABLE_V1) {
          if (wireOrUndefined(before[k]) !== wireOrUndefined(entry[k])) {
            issues.add(`requests[${id}].${k}`, "cannot change after the request was made");
          }
        }
        if (wireOrUndefined(before["entity-permissions"]) !== wireOrUndefined(entry["entity-permissions"])) {
          pending.push(() => this.events.emit("entityPermissionsChanged", { request }));
        }
      }
      if (this.definition.mtls) {
        const b = toStringBag(before);
        const now = toStringBag(entry);
        this.#queueMtlsEvent(rel, id, diffBags(b, now), now, b, pending);
      }
    }
    if (issues.issues.length) return;
    // Requests the requirer withdrew: drop their responses and secrets, then tell the charm.
    for (const [id, before] of Object.entries(old)) {
      if (Object.hasOwn(data, id) || id === "status") continue;
      this.#dropResponse(rel, id);
      const resource = typeof before?.resource === "string" ? before.resource : "";
      pending.push(() => this.events.emit("requestRemoved", { relation: rel.ref, requestId: id, resource }));
    }
    const text = pyDumps(data);
    if (text !== oldRaw) own.set("data", text);
    this.#v1Data.delete(rel.id);
  }

  /** One relation's v1 requests, parsed once per hook; undefined (issues recorded) when malformed. */
  #requestsV1(
    rel: Relation,
    bag: Readonly<Record<string, string>>,
    issues: IssueCollector,
  ): ProviderRequest[] | undefined {
    const cached = this.#v1Parsed.get(rel.id);
    if (cached && cached.raw === bag.requests) return cached.requests;
    const before = issues.issues.length;
    const requests = this.#parseV1(rel, bag, issues);
    const clean = requests && issues.issues.length === before;
    if (clean) this.#v1Parsed.set(rel.id, { raw: bag.requests, requests });
    return requests;
  }

  #parseV1(
    rel: Relation,
    bag: Readonly<Record<string, string>>,
    issues: IssueCollector,
  ): ProviderRequest[] | undefined {
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
      const resource = ownValue(o, "resource") ?? ownValue(o, this.definition.resourceKey);
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
      const perms =
        o["entity-permissions"] === undefined || o["entity-permissions"] === null
          ? undefined
          : parsePermissions(issues, `${at}.entity-permissions`, {
              ok: true,
              value: o["entity-permissions"],
            });
      const request: ProviderRequest = {
        relation: rel.ref,
        remoteApp: rel.remoteApp,
        contract: "v1",
        requestId: expected,
        salt: o.salt,
        resource,
        extraUserRoles: parseCommaList(
          typeof o["extra-user-roles"] === "string" ? o["extra-user-roles"] : undefined,
        ),
        extraGroupRoles: parseCommaList(
          typeof o["extra-group-roles"] === "string" ? o["extra-group-roles"] : undefined,
        ),
        externalNodeConnectivity: enc === true,
        ...(et === "USER" || et === "GROUP" ? { entityType: et } : {}),
        ...(perms ? { entityPermissions: perms } : {}),
        ...(typeof o["secret-mtls"] === "string" ? { mtlsSecret: o["secret-mtls"] } : {}),
        raw: { ...o, resource, "request-id": expected },
      };
      const checked = this.#checked(request, issues);
      if (checked) out.push(checked);
    }
    return issues.issues.length ? undefined : out;
  }

  /** The provider's `data` entry for a request: the request model without nulls and defaults. */
  #dataEntry(request: ProviderRequest): Record<string, unknown> {
    const normalised = serializeRequestObject(request.raw as Record<string, unknown>, {
      ...(this.definition.requestExtraKeys ? { extraKeys: [...this.definition.requestExtraKeys] } : {}),
      trailingMtlsCert: this.definition.trailingMtlsCert ?? false,
    });
    return v1DataEntry(normalised, REQUEST_KEY_ORDER);
  }

  async #reportInvalid(relation: RelationRef, error: RemoteDataError): Promise<void> {
    await emitOrBlock(this.events, "requestInvalid", { relation, error }, this.model);
  }

  /** Every current request on every relation (any unit can call this: it reads only remote bags). */
  requests(): ProviderRequest[] {
    const out: ProviderRequest[] = [];
    for (const rel of this.model.relations(this.endpoint)) {
      const bag = rel.remoteAppData();
      const issues = this.#issues(rel.ref);
      if (bag.version === "v1") out.push(...(this.#requestsV1(rel, bag, issues) ?? []));
      else if (bag.version === undefined && bag[this.definition.resourceKey] !== undefined) {
        const r = this.#parseV0(rel, bag, issues);
        if (r) out.push(r);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // mTLS client certificates

  #queueMtlsEvent(
    rel: Relation,
    requestId: string | undefined,
    diff: { added: string[]; changed: string[]; deleted: string[] },
    bag: Readonly<Record<string, string>>,
    previous: Readonly<Record<string, string>>,
    pending: Array<() => Promise<void>>,
  ): void {
    const touched = (k: string) => diff.added.includes(k) || diff.changed.includes(k);
    if (!touched("secret-mtls") && !touched("mtls-cert")) return;
    const cert = this.#readCert(rel, requestId, bag);
    if (cert === undefined) return;
    const oldCert =
      previous["mtls-cert"] !== undefined
        ? this.#decryptIfNeeded(rel, previous["mtls-cert"], bag)
        : undefined;
    // The same certificate re-sent (cross-model: re-encrypted once the key arrived) is no news (I-4).
    if (oldCert !== undefined && oldCert === cert) return;
    pending.push(() =>
      this.events.emit("mtlsCertUpdated", {
        relation: rel.ref,
        ...(requestId ? { requestId } : {}),
        ...(oldCert !== undefined && oldCert !== cert ? { oldCert } : {}),
        cert,
      }),
    );
  }

  /** The client certificate of a request: the `secret-mtls` secret first, then the plain/Fernet key (I-25). */
  #readCert(
    rel: Relation,
    requestId: string | undefined,
    bag: Readonly<Record<string, string>>,
  ): string | undefined {
    const uri = bag["secret-mtls"];
    if (uri) {
      const label = secretLabel({
        endpoint: rel.endpoint,
        relationId: rel.id,
        ...(requestId ? { requestId } : {}),
        group: "mtls",
      });
      const read = this.model.secrets.read(uri, { label, mode: "refresh" });
      if (read.ok && read.content["mtls-cert"] !== undefined) return read.content["mtls-cert"];
    }
    const plain = bag["mtls-cert"];
    return plain === undefined || plain === "null" ? undefined : this.#decryptIfNeeded(rel, plain, bag);
  }

  #decryptIfNeeded(rel: Relation, value: string, bag: Readonly<Record<string, string>>): string | undefined {
    // A PEM sent before the Fernet handshake (Python sends one too); a url-safe base64 token never starts so.
    if (value.trimStart().startsWith("-----BEGIN")) return value;
    const requirerBag = rel.remoteAppData();
    if (requirerBag["encryption-secret"] === undefined && bag["encryption-secret"] === undefined)
      return value;
    const own = this.model.isLeader() ? rel.localApp.get("encryption-secret") : undefined;
    const uri = own ?? requirerBag["encryption-secret"];
    if (!uri) return undefined;
    const key = this.model.secrets.readOwned(uri)?.["encryption-key"];
    if (!key) return undefined;
    try {
      return fernetDecrypt(key, value);
    } catch {
      return undefined;
    }
  }

  /** The current client certificates of every request (any unit; for trust stores). */
  clientCertificates(): { relation: RelationRef; requestId?: string; cert: string }[] {
    const out: { relation: RelationRef; requestId?: string; cert: string }[] = [];
    for (const request of this.requests()) {
      const rel = this.model.relation(request.relation);
      const bag = toStringBag(request.raw);
      const cert = this.#readCert(rel, request.requestId, bag);
      if (cert !== undefined)
        out.push({
          relation: request.relation,
          ...(request.requestId ? { requestId: request.requestId } : {}),
          cert,
        });
    }
    return out;
  }

  async #onSecretChanged(secretId: string | undefined, label: string | undefined): Promise<void> {
    if (!secretId || !this.definition.mtls) return;
    const parsed = label ? parseSecretLabel(label) : undefined;
    if (!parsed || parsed.endpoint !== this.endpoint || parsed.group !== "mtls") return;
    // Old content: the tracked revision; new: refresh. Every unit gets this (trust stores).
    const old = this.model.secrets.read(secretId, { mode: "tracked" });
    const now = this.model.secrets.read(secretId, { mode: "refresh" });
    if (!now.ok || now.content["mtls-cert"] === undefined) return;
    const oldCert = old.ok ? old.content["mtls-cert"] : undefined;
    await this.events.emit("mtlsCertUpdated", {
      relation: { endpoint: this.endpoint, id: parsed.relationId },
      ...(parsed.requestId ? { requestId: parsed.requestId } : {}),
      ...(oldCert !== undefined && oldCert !== now.content["mtls-cert"] ? { oldCert } : {}),
      cert: now.content["mtls-cert"],
    });
  }

  /** §6.3 step 5: a superseded revision of one of our response secrets is no longer tracked: drop it. */
  async #onSecretRemove(
    label: string | undefined,
    secretId: string,
    revision: number | undefined,
  ): Promise<void> {
    const parsed = label ? parseSecretLabel(label) : undefined;
    if (!parsed || parsed.endpoint !== this.endpoint || parsed.group === "mtls" || revision === undefined)
      return;
    if (this.model.isLeader()) this.model.secrets.remove(secretId, { revision });
  }

  async #onBroken(ref: RelationRef, remoteApp: string | undefined): Promise<void> {
    await tearDownBrokenRelation(this.model, this.#departure, this.#retainSecretsOnBroken, ref, (departing) =>
      this.events.emit("gone", { relation: ref, remoteApp: remoteApp ?? null, departing }),
    );
  }

  /**
   * This unit is leaving the relation while the relation lives on for the other units: it got
   * relation-departed with `JUJU_DEPARTING_UNIT` = itself (remembered until its relation-broken).
   */
  isDeparting(relation: RelationRef): boolean {
    return this.#departure.isDeparting(relation);
  }

  /**
   * Read the requirer's `requested-entity-secret` (any unit the secret is granted to): `entity-name`
   * plus `password` (v0) or `entity-password` (v1), both accepted (I-24). Unreadable means "not granted
   * yet" or already removed by the requirer after the entity was created.
   */
  requestedEntity(request: ProviderRequest): RequestedEntityRead {
    const uri = request.raw["requested-entity-secret"];
    if (typeof uri !== "string" || uri === "") return { ok: false, reason: "absent" };
    const read = this.model.secrets.read(uri, { mode: "refresh" });
    if (!read.ok) return { ok: false, reason: read.reason };
    const name = read.content["entity-name"];
    if (!name) return { ok: false, reason: "invalid" };
    const password = read.content["entity-password"] ?? read.content.password;
    return password ? { ok: true, name, password } : { ok: true, name };
  }

  /**
   * What this app has published for a relation (v0) or request (v1), under canonical field names:
   * plain keys, then the content of its own secrets over them (leader: the app owns those secrets).
   */
  published(relation: RelationRef, options: { requestId?: string } = {}): Record<string, string> {
    this.model.requireLeader(`read what was published on ${relation.endpoint}:${relation.id}`);
    const own = this.model.relation(relation).localApp;
    let bag: Record<string, string>;
    if (options.requestId !== undefined) {
      const response = parseJsonObjects(own.get("requests")).find(
        (r) => r["request-id"] === options.requestId,
      );
      bag = toStringBag(response);
    } else {
      bag = own.all();
      for (const k of ["data", "status"]) delete bag[k]; // v0 `version` is the engine version: a field
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(bag)) {
      if (!k.startsWith("secret-"))
        out[canonicalKey(k, options.requestId ? undefined : this.definition.v0Keys)] = v;
    }
    for (const [k, v] of Object.entries(bag)) {
      if (k.startsWith("secret-") && k !== "secret-mtls")
        Object.assign(out, this.model.secrets.readOwned(v) ?? {});
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // Publishing (leader)

  /**
   * Publish fields for a relation (v0, or v1 with `requestId`). `undefined` removes a field. Fields are
   * routed to secrets or plain keys per contract; unchanged content costs no write.
   */
  publish(relation: RelationRef, fields: Fields, options: { requestId?: string } = {}): void {
    this.model.requireLeader(`publish on ${relation.endpoint}:${relation.id}`);
    const rel = this.model.relation(relation);
    const requirerBag = rel.remoteAppData();
    if (requirerBag.version === "v1") {
      if (!options.requestId)
        throw new Error(`${relation.endpoint}:${relation.id} speaks v1: pass a requestId`);
      this.#publishV1(rel, options.requestId, fields);
    } else {
      this.#publishV0(rel, requirerBag, fields);
    }
  }

  /** Publish the same fields to every request on every relation (endpoints, version, TLS …). */
  publishAll(fields: Fields): void {
    for (const request of this.requests()) {
      this.publish(request.relation, fields, request.requestId ? { requestId: request.requestId } : {});
    }
  }

  #publishV0(rel: Relation, requirerBag: Readonly<Record<string, string>>, fields: Fields): void {
    const def = this.definition;
    if (requirerBag[def.resourceKey] === undefined) {
      const early = Object.keys(fields).filter((k) => !PREMATURE_OK.has(k));
      if (early.length) throw new PrematureWriteError(rel.ref, early);
    }
    const issues = this.#issues(rel.ref);
    const requested = issues.stringArray("requested-secrets", requirerBag["requested-secrets"]);
    if (issues.issues.length) throw new RemoteDataError(issues.issues);
    const own = rel.localApp;
    const flat = (f: string) => ownValue(def.v0Keys, f) ?? f;
    // Sticky plain mode: a relation that already carries requested fields in plain text stays plain.
    const sticky = requested?.some((f) => own.get(flat(f)) !== undefined) ?? false;
    const useSecrets = requested !== undefined && requested.length > 0 && !sticky && hasSecrets(this.model);
    const groups = new Map<SecretGroup, Record<string, string | undefined>>();
    for (const [field, value] of Object.entries(fields)) {
      if (useSecrets && requested.includes(field)) {
        const g = groupOf(field);
        groups.set(g, { ...groups.get(g), [field]: value });
      } else if (useSecrets && isCredentialField(field)) {
        // I-26: never publish a credential in plain text to a requirer that uses secrets.
        this.model.log(
          "WARNING",
          `${rel.name}: requirer did not request "${field}" as a secret; not publishing it`,
        );
      } else {
        own.set(flat(field), value);
      }
    }
    for (const [group, values] of groups) {
      const uri = this.#writeGroup(rel, undefined, group, own.get(`secret-${group}`), values);
      own.set(`secret-${group}`, uri);
    }
  }

  #publishV1(rel: Relation, requestId: string, fields: Fields): void {
    const def = this.definition;
    const own = rel.localApp;
    // This relation's requests only: answering one relation must not read every other one (O(N) calls).
    const issues = this.#issues(rel.ref);
    const asked = this.#requestsV1(rel, rel.remoteAppData(), issues);
    const request = asked?.find((r) => r.requestId === requestId);
    const answers = this.#answersOf(rel);
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
    const extraSecret = new Set(def.extraSecretFields ?? []);
    const groups = new Map<SecretGroup, Record<string, string | undefined>>();
    for (const [field, value] of Object.entries(fields)) {
      const g = groupOf(field);
      if (g !== "extra" || extraSecret.has(field)) groups.set(g, { ...groups.get(g), [field]: value });
      else response[field] = value ?? null;
    }
    for (const [group, values] of groups) {
      const current =
        typeof response[`secret-${group}`] === "string" ? (response[`secret-${group}`] as string) : undefined;
      response[`secret-${group}`] = this.#writeGroup(rel, requestId, group, current, values) ?? null;
    }
    try {
      // `formatRequests` of the list is the JSON of each object joined by ", " in brackets: serialise
      // this response alone, and join the list once, when the bag is flushed (K answers cost O(K)).
      answers.texts[index] = this.#responseText(response);
    } catch (e) {
      this.#v1Answers.delete(rel.id); // the cached objects hold the rejected value
      throw e;
    }
    own.set("version", "v1");
    own.setLazy("requests", () => `[${answers.texts.join(", ")}]`);
    // Python v1 requirers stall without a `data` entry for every answered id (I-10, §5.6).
    if (request) {
      const data = this.#dataOf(rel);
      if (!Object.hasOwn(data, requestId)) {
        data[requestId] = this.#dataEntry(request);
        own.setLazy("data", () => pyDumps(data));
      }
    }
  }

  /** This hook's v1 answers of a relation: our `requests` parsed once, then kept (we are its only writer). */
  #answersOf(rel: Relation): { objects: V1Object[]; texts: string[]; index: Map<string, number> } {
    let answers = this.#v1Answers.get(rel.id);
    if (!answers) {
      const objects = parseJsonObjects(rel.localApp.get("requests"));
      const index = new Map<string, number>();
      for (const [i, o] of objects.entries()) {
        const id = o["request-id"];
        if (typeof id === "string" && !index.has(id)) index.set(id, i);
      }
      answers = { objects, texts: objects.map((o) => this.#responseText(o)), index };
      this.#v1Answers.set(rel.id, answers);
    }
    return answers;
  }

  /** One response object as it appears inside `requests`. */
  #responseText(response: V1Object): string {
    const def = this.definition;
    const options = {
      ...(def.responseExtraKeys ? { extraKeys: [...def.responseExtraKeys] } : {}),
      trailingMtlsCert: def.trailingMtlsCert ?? false,
    };
    return formatRequests([serializeResponseObject(response, options)]).slice(1, -1);
  }

  /** Our v1 `data` of a relation, parsed once per hook (then kept: we are its only writer). */
  #dataOf(rel: Relation): Record<string, unknown> {
    let data = this.#v1Data.get(rel.id);
    if (!data) {
      data = ownObject(rel.localApp.get("data"));
      this.#v1Data.set(rel.id, data);
    }
    return data;
  }

  /**
   * Create, update in place, or remove one group's secret. Returns the URI to publish, or undefined
   * when the secret ended up empty and was removed.
   */
  #writeGroup(
    rel: Relation,
    requestId: string | undefined,
    group: SecretGroup,
    uri: string | undefined,
    values: Record<string, string | undefined>,
  ): string | undefined {
    const secrets = this.model.secrets;
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

  /** Remove a withdrawn v1 request's response and its secrets. */
  #dropResponse(rel: Relation, requestId: string): void {
    const own = rel.localApp;
    const responses = parseJsonObjects(own.get("requests"));
    const keep = responses.filter((r) => r["request-id"] !== requestId);
    for (const gone of responses.filter((r) => r["request-id"] === requestId)) {
      for (const [k, v] of Object.entries(gone)) {
        if (k.startsWith("secret-") && typeof v === "string") this.model.secrets.remove(v);
      }
    }
    if (keep.length !== responses.length) own.set("requests", formatRequests(keep));
    this.#v1Answers.delete(rel.id);
  }

  // ------------------------------------------------------------------------------------------
  // Status codes (leader)

  raiseStatus(relation: RelationRef, status: RelationStatus): void {
    const rel = this.model.relation(relation);
    const list = readStatuses(rel).filter((s) => s.code !== status.code);
    list.push(status);
    writeStatuses(rel, list);
  }

  resolveStatus(relation: RelationRef, code: number): void {
    const rel = this.model.relation(relation);
    writeStatuses(
      rel,
      readStatuses(rel).filter((s) => s.code !== code),
    );
  }

  clearStatuses(relation: RelationRef): void {
    writeStatuses(this.model.relation(relation), []);
  }

  statuses(relation: RelationRef): RelationStatus[] {
    return readStatuses(this.model.relation(relation));
  }
}

/** Our own JSON object value (`data`), or an empty one when missing or unreadable; own keys only. */
function ownObject(raw: string | undefined): Record<string, unknown> {
  const parsed = raw === undefined ? undefined : parseJson(raw);
  const value = parsed?.ok ? parsed.value : undefined;
  return value && typeof value === "object" && !Array.isArray(value)
    ? Object.assign(Object.create(null), value)
    : Object.create(null);
}

function readStatuses(rel: Relation): RelationStatus[] {
  const raw = rel.localApp.get("status");
  const parsed = raw === undefined ? undefined : parseJson(raw);
  return parsed?.ok && Array.isArray(parsed.value) ? (parsed.value as RelationStatus[]) : [];
}

function writeStatuses(rel: Relation, list: RelationStatus[]): void {
  rel.localApp.set("status", list.length ? formatStatuses(list) : undefined);
}

const PERMISSIONS_RULE = "expected a JSON array of {resource_name, resource_type, privileges}";

function parsePermissions(
  issues: IssueCollector,
  key: string,
  parsed: { ok: true; value: unknown },
): EntityPermission[] | undefined {
  const ok =
    Array.isArray(parsed.value) &&
    parsed.value.every(
      (p) =>
        p &&
        typeof p === "object" &&
        typeof (p as Record<string, unknown>).resource_name === "string" &&
        typeof (p as Record<string, unknown>).resource_type === "string" &&
        Array.isArray((p as Record<string, unknown>).privileges) &&
        ((p as Record<string, unknown>).privileges as unknown[]).every((x) => typeof x === "string"),
    );
  if (!ok) {
    issues.add(key, PERMISSIONS_RULE, parsed.value);
    return undefined;
  }
  return parsed.value as EntityPermission[];
}

function wireOrUndefined(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : wireString(v);
}

function toStringBag(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = wireString(v);
  }
  return out;
}

/** Secrets need Juju ≥ 3.0.3; older agents get the plain-text contract. */
function hasSecrets(model: Model): boolean {
  const [major = 0, minor = 0, patch = 0] = model.context.jujuVersion
    .split(/[.-]/)
    .map((p) => Number.parseInt(p, 10) || 0);
  return major > 3 || (major === 3 && (minor > 0 || patch >= 3));
}
