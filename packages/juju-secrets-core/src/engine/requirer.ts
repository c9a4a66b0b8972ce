/**
 * The generic requirer side of the data-interfaces protocol (v0 flat and v1 requests), configured by
 * an `InterfaceDefinition`. Interface packages wrap it and rename its events.
 *
 * Per hook it costs at most: one read of the provider app bag, one of the own unit bag (snapshot), one
 * `secret-get` per secret group that is needed, one `relation-set` of the snapshot (protocol §9).
 */

import type { RelationRef } from "../backend/types.js";
import { RemoteDataError } from "../errors.js";
import type { Charm } from "../hook/charm.js";
import { Emitter } from "../hook/emitter.js";
import type { RemoteLimits } from "../limits.js";
import { DepartureMarker } from "../model/departure.js";
import type { Model, Relation } from "../model/model.js";
import { formatCommaList, parseBool, parseSecretUri, xidOf } from "../protocol/codecs.js";
import { fernetDecrypt, fernetEncrypt } from "../protocol/fernet.js";
import { parseJson, parseJsonObjects, pyDumps } from "../protocol/json.js";
import {
  DEFAULT_PROVIDED_SECRETS,
  DEFAULT_REQUESTED_SECRETS,
  groupOf,
  isSecretGroup,
  parseSecretLabel,
  requestedEntityLabel,
  secretLabel,
} from "../protocol/secrets.js";
import { diffBags, v0Snapshot } from "../protocol/snapshot.js";
import { diffStatuses, type RelationStatus } from "../protocol/status.js";
import { computeRequestId, formatRequests, generateSalt, serializeRequestObject } from "../protocol/v1.js";
import {
  BOOKKEEPING_KEYS,
  canonicalKey,
  IssueCollector,
  ownValue,
  remoteLimits,
  tearDownBrokenRelation,
  wireString,
} from "./common.js";
import type { Contract, InterfaceDefinition, RequestSpec } from "./definition.js";
import {
  emitOrBlock,
  type RelationGoneEvent,
  type RelationInvalidEvent,
  type RelationStatusEvent,
} from "./events.js";

/** What a requirer unit knows about one answered request, secrets resolved. */
export interface ResolvedResponse {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only. */
  readonly requestId?: string;
  readonly resource: string;
  /** Every provider field under its canonical name; secret content overrides plain keys. */
  readonly fields: Readonly<Record<string, string>>;
  /** Secret groups published but not readable yet (not granted: LP#2093129). */
  readonly pendingSecrets: readonly string[];
  /** The interface's ready fields are all present. */
  readonly ready: boolean;
}

export interface RequirerEventMap {
  /** First time a response is ready (credentials readable and ready fields present). */
  created: { readonly response: ResolvedResponse };
  /** Plain fields added, changed or removed after `created` (canonical key names). */
  changed: { readonly response: ResolvedResponse; readonly keys: readonly string[] };
  /** A secret group got a new revision or a new URI (rotation). */
  credentialsRotated: { readonly response: ResolvedResponse; readonly groups: readonly string[] };
  statusRaised: RelationStatusEvent;
  statusResolved: RelationStatusEvent;
  /** relation-broken; unless `departing`, the leader already removed the requirer-owned secrets of the relation. */
  gone: RelationGoneEvent;
  /** The provider's databag could not be understood; nothing was written for that relation. */
  invalid: RelationInvalidEvent;
}

export interface DataRequirerOptions {
  readonly contract?: Contract;
  readonly requests: readonly RequestSpec[];
  /** Extra provider fields to request as secrets (appended to the default `requested-secrets`). */
  readonly additionalSecretFields?: readonly string[];
  /**
   * Interface-level checks of a provider answer (e.g. zod schemas): `validateBag` on the raw answer
   * (v0 app bag or v1 response object, before any secret is read), `validateResponse` on the resolved
   * fields. Both run before anything is emitted or written; an error turns the hook into an `invalid`
   * event with nothing written for the relation.
   */
  readonly validateBag?: (
    bag: Readonly<Record<string, string>>,
    relation: RelationRef,
  ) => RemoteDataError | undefined;
  readonly validateResponse?: (response: ResolvedResponse) => RemoteDataError | undefined;
  /**
   * Called on relation-broken (leader) before the requirer-owned secrets (`mtls`, requested entity) are
   * removed; return true to keep them. A unit that is being removed (LP#1979811) keeps them anyway
   * (see `isDeparting`): the provider must keep reading them. This is for the charm's own rules on top.
   */
  readonly retainSecretsOnBroken?: (relation: RelationRef) => boolean;
  /** Where this unit remembers that it is departing (default `<charm dir>/.charm-relations`). */
  readonly stateDir?: string;
  /**
   * Limits on what providers write (value size, JSON depth, v1 responses per relation; see
   * `DEFAULT_REMOTE_LIMITS`; the response cap is never below this requirer's own number of requests).
   * A relation over a limit gets `invalid` and nothing is written for it.
   */
  readonly limits?: Partial<RemoteLimits>;
}

type Bag = Record<string, string>;

export class DataRequirer {
  readonly events = new Emitter<RequirerEventMap>();
  readonly charm: Charm;
  readonly endpoint: string;
  readonly definition: InterfaceDefinition;
  readonly contract: Contract;
  #requests: RequestSpec[];
  readonly #additionalSecretFields: readonly string[];
  readonly #validateBag: DataRequirerOptions["validateBag"];
  readonly #validateResponse: DataRequirerOptions["validateResponse"];
  readonly #retainSecretsOnBroken: DataRequirerOptions["retainSecretsOnBroken"];
  readonly #limits: RemoteLimits;
  readonly #departure: DepartureMarker;

  constructor(charm: Charm, endpoint: string, definition: InterfaceDefinition, options: DataRequirerOptions) {
    this.charm = charm;
    this.endpoint = endpoint;
    this.definition = definition;
    this.contract = options.contract ?? "v0";
    this.#requests = [...options.requests];
    this.#additionalSecretFields = options.additionalSecretFields ?? [];
    this.#validateBag = options.validateBag;
    this.#validateResponse = options.validateResponse;
    this.#retainSecretsOnBroken = options.retainSecretsOnBroken;
    this.#limits = remoteLimits(options.limits);
    this.#departure = new DepartureMarker(
      charm.model,
      options.stateDir ? { stateDir: options.stateDir } : {},
    );
    if (this.#requests.filter((r) => r.requestedEntity).length > 1) {
      throw new Error(`${definition.name} requirer: at most one request may carry a requested entity`);
    }
    if (this.contract === "v0" && this.#requests.length !== 1) {
      throw new Error(
        `${definition.name} v0 requirer takes exactly one request, got ${this.#requests.length}`,
      );
    }
    const filter = { endpoint };
    charm.on("relationDeparted", (e) => this.#departure.departed(e.relation.ref, e.departingUnit), filter);
    charm.on("relationCreated", (e) => this.#onCreated(e.context.relation!), filter);
    charm.on("relationChanged", (e) => this.#onChanged(e.context.relation!), filter);
    charm.on("relationBroken", (e) => this.#onBroken(e.context.relation!, e.context.remoteApp), filter);
    charm.on("secretChanged", (e) => this.#onSecretChanged(e.context.secretId, e.context.secretLabel));
    charm.on("leaderElected", () => this.ensureRequests());
  }

  get model(): Model {
    return this.charm.model;
  }

  #issues(relation: RelationRef): IssueCollector {
    return new IssueCollector(relation, "provider", "app", this.#limits);
  }

  get requests(): readonly RequestSpec[] {
    return this.#requests;
  }

  get requestedSecrets(): string[] {
    return [...DEFAULT_REQUESTED_SECRETS, ...this.#additionalSecretFields];
  }

  // ------------------------------------------------------------------------------------------
  // Writing the request (leader)

  /** Write the request on every relation where it is missing (leader). Safe to call from any hook. */
  ensureRequests(): void {
    // No relation yet (a fresh deploy's leader-elected): nothing to ask, not even is-leader.
    const relations = this.model.relations(this.endpoint);
    if (relations.length === 0 || !this.model.isLeader()) return;
    for (const rel of relations) {
      const bag = rel.localApp;
      const has = this.contract === "v1" ? bag.get("requests") : bag.get(this.definition.resourceKey);
      if (has === undefined) this.#writeRequest(rel);
    }
  }

  async #onCreated(ref: RelationRef): Promise<void> {
    if (!this.model.isLeader()) return;
    const rel = this.model.relation(ref);
    // leader-elected may have written it already (ensureRequests): a second write would draw a new
    // salt (v1) and orphan, or clash with, the mTLS secret of the first.
    const has =
      this.contract === "v1" ? rel.localApp.get("requests") : rel.localApp.get(this.definition.resourceKey);
    if (has === undefined) this.#writeRequest(rel);
  }

  /** All of the request in one hook: the same-hook rule (protocol §4.2). */
  #writeRequest(rel: Relation): void {
    const def = this.definition;
    if (this.contract === "v0") {
      const spec = this.#requests[0]!;
      const crossModel = rel.isCrossModel;
      const provided = crossModel ? [] : [...DEFAULT_PROVIDED_SECRETS];
      const values: Record<string, string | undefined> = {
        [def.resourceKey]: spec.resource,
        "requested-secrets": pyDumps(this.requestedSecrets),
        "provided-secrets": provided.length ? pyDumps(provided) : undefined,
        "extra-user-roles": spec.extraUserRoles?.length ? formatCommaList(spec.extraUserRoles) : undefined,
        "extra-group-roles": spec.extraGroupRoles?.length ? formatCommaList(spec.extraGroupRoles) : undefined,
        "entity-type": spec.entityType,
        "entity-permissions": spec.entityPermissions ? pyDumps(spec.entityPermissions) : undefined,
        "external-node-connectivity": spec.externalNodeConnectivity ? "true" : undefined,
        ...spec.extra,
      };
      if (spec.requestedEntity) {
        const entity = spec.requestedEntity;
        values["requested-entity-secret"] = this.#addRequestedEntitySecret(rel, entity, "password");
      }
      if (spec.mtlsCert && def.mtls) {
        // Cross-model: requirer secrets cannot cross models, the certificate travels in the bag (§7).
        if (crossModel) Object.assign(values, this.#crossModelCert(rel, spec.mtlsCert, undefined));
        else values["secret-mtls"] = this.#ensureMtlsSecret(rel, undefined, spec.mtlsCert, undefined);
      }
      rel.localApp.update(values);
      // Python keeps a unit copy of the lists (non-leaders cannot read their app bag).
      rel.localUnit.update({
        "requested-secrets": values["requested-secrets"],
        "provided-secrets": values["provided-secrets"],
      });
      return;
    }
    const objects = this.#requests.map((spec) => this.#requestObject(rel, spec));
    // dpcharmlibs: a cross-model token is paired with a top-level copy of the provider's key URI.
    const encryption = objects.some((o) => typeof o["mtls-cert"] === "string")
      ? this.#providerEncryption(rel)?.uri
      : undefined;
    rel.localApp.update({
      version: "v1",
      requests: formatRequests(objects),
      "encryption-secret": encryption,
    });
  }

  #requestObject(rel: Relation, spec: RequestSpec, salt = generateSalt()): Record<string, unknown> {
    const requestId = computeRequestId(spec.resource, salt);
    const withCert = spec.mtlsCert !== undefined && spec.mtlsCert !== "" && this.definition.mtls === true;
    const crossModel = withCert && rel.isCrossModel;
    const mtls =
      withCert && !crossModel ? this.#ensureMtlsSecret(rel, requestId, spec.mtlsCert!, undefined) : null;
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
          ? { "mtls-cert": this.#crossModelCert(rel, spec.mtlsCert!, undefined)["mtls-cert"] }
          : {}),
        ...spec.extra,
        ...(spec.requestedEntity ? { "requested-entity-secret": this.#requestedEntityV1(rel, spec) } : {}),
      },
      {
        ...(this.definition.requestExtraKeys ? { extraKeys: [...this.definition.requestExtraKeys] } : {}),
        trailingMtlsCert: this.definition.trailingMtlsCert ?? false,
      },
    );
  }

  /** Create (or update in place) the requirer-owned mTLS secret of a relation/request. */
  #ensureMtlsSecret(
    rel: Relation,
    requestId: string | undefined,
    pem: string,
    existing: string | undefined,
  ): string {
    const content = { "mtls-cert": pem };
    if (existing) {
      this.model.secrets.update(existing, content);
      return existing;
    }
    const label = secretLabel({
      endpoint: rel.endpoint,
      relationId: rel.id,
      ...(requestId ? { requestId } : {}),
      group: "mtls",
    });
    const uri = this.model.secrets.add(content, { label, owner: "application" });
    this.model.secrets.grant(uri, rel.ref);
    return uri;
  }

  /** The provider's cross-model Fernet key (§7): its `encryption-secret` URI and key, once readable. */
  #providerEncryption(rel: Relation): { uri: string; key: string } | undefined {
    const uri = rel.remoteAppData()["encryption-secret"];
    if (!uri) return undefined;
    const read = this.model.secrets.read(uri, { mode: "refresh" });
    const key = read.ok ? read.content["encryption-key"] : undefined;
    return key ? { uri, key } : undefined;
  }

  /**
   * Cross-model `mtls-cert` (§7): a Fernet token under the provider's key with a copy of its
   * `encryption-secret` URI, or the plain PEM until the provider published one (Python does the same).
   * A current token that already decrypts to this PEM is kept: a fresh token would wake the provider.
   */
  #crossModelCert(
    rel: Relation,
    pem: string,
    current: string | undefined,
  ): { "mtls-cert": string; "encryption-secret"?: string } {
    const enc = this.#providerEncryption(rel);
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
  #sentCrossModelPem(rel: Relation, value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const copied = rel.localApp.get("encryption-secret");
    if (copied === undefined) return value;
    const read = this.model.secrets.read(copied, { mode: "refresh" });
    const key = read.ok ? read.content["encryption-key"] : undefined;
    try {
      return key ? fernetDecrypt(key, value) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Cross-model, leader: once the provider publishes (or replaces) its `encryption-secret`, re-send the
   * certificate as a Fernet token with a copy of that URI (§7; Python re-sends on `encryption-secret` added).
   */
  #resendCrossModelCert(rel: Relation, providerBag: Readonly<Bag>): void {
    const uri = providerBag["encryption-secret"];
    if (uri === undefined || !this.model.isLeader() || rel.localApp.get("encryption-secret") === uri) return;
    if (!rel.isCrossModel) return;
    if (this.contract === "v0") {
      if (rel.localApp.get(this.definition.resourceKey) === undefined) return; // request not written yet
      const pem = this.#requests[0]?.mtlsCert || this.#sentCrossModelPem(rel, rel.localApp.get("mtls-cert"));
      if (pem) rel.localApp.update(this.#crossModelCert(rel, pem, undefined));
      return;
    }
    const objects = this.#ownRequestObjects(rel);
    let copied: string | undefined;
    for (const obj of objects) {
      const current = typeof obj["mtls-cert"] === "string" ? obj["mtls-cert"] : undefined;
      const pem = this.#specFor(String(obj.resource))?.mtlsCert || this.#sentCrossModelPem(rel, current);
      if (!pem) continue;
      const sent = this.#crossModelCert(rel, pem, undefined);
      obj["mtls-cert"] = sent["mtls-cert"];
      copied = sent["encryption-secret"];
    }
    if (copied) rel.localApp.update({ requests: formatRequests(objects), "encryption-secret": copied });
  }

  /**
   * The requirer-owned auxiliary secret naming the entity the provider should create (§4.10). The
   * password key is `password` in v0 and `entity-password` in v1 (I-24).
   */
  #addRequestedEntitySecret(
    rel: Relation,
    entity: NonNullable<RequestSpec["requestedEntity"]>,
    passwordKey: "password" | "entity-password",
  ): string {
    const content: Record<string, string> = { "entity-name": entity.name };
    if (entity.password) content[passwordKey] = entity.password;
    const label = requestedEntityLabel(this.model.modelUuid, rel.id);
    const uri = this.model.secrets.add(content, { label, owner: "application" });
    this.model.secrets.grant(uri, rel.ref);
    return uri;
  }

  #requestedEntityV1(rel: Relation, spec: RequestSpec): string {
    return this.#addRequestedEntitySecret(rel, spec.requestedEntity!, "entity-password");
  }

  /** Once the provider answered, the requested-entity secret has served its purpose: remove it (leader). */
  #dropRequestedEntitySecret(rel: Relation, response: ResolvedResponse): void {
    // Most requests carry no requested entity: check that before spending an is-leader call.
    if (!this.#specFor(response.resource)?.requestedEntity || !this.model.isLeader()) return;
    if (this.contract === "v0") {
      const uri = rel.localApp.get("requested-entity-secret");
      if (uri === undefined) return;
      this.model.secrets.remove(uri);
      rel.localApp.delete("requested-entity-secret");
      return;
    }
    const label = requestedEntityLabel(this.model.modelUuid, rel.id);
    const info = this.model.secrets.infoByLabel(label);
    if (!info) return;
    this.model.secrets.remove(info.id);
    this.model.secrets.forgetLabel(label);
  }

  /** The request a response answers (v0: the only one; v1: by resource). */
  #specFor(resource: string | undefined): RequestSpec | undefined {
    if (this.contract === "v0") return this.#requests[0];
    return this.#requests.find((r) => r.resource === resource);
  }

  #readyFieldsFor(resource: string | undefined): readonly string[] {
    const def = this.definition;
    return this.#specFor(resource)?.entityType ? (def.entityReadyFields ?? def.readyFields) : def.readyFields;
  }

  /**
   * Rotate the client certificate on every relation (leader): `secret-set` on the existing secret
   * (compared first, so an unchanged certificate costs no revision), created where missing.
   */
  setMtlsCert(pem: string): void {
    this.model.requireLeader("set the client certificate");
    this.#requests = this.#requests.map((r) => ({ ...r, mtlsCert: pem }));
    for (const rel of this.model.relations(this.endpoint)) {
      if (this.contract === "v0") {
        // Not requested yet: the request, when written, carries the new certificate.
        if (rel.localApp.get(this.definition.resourceKey) === undefined) continue;
        if (rel.isCrossModel) {
          rel.localApp.update(this.#crossModelCert(rel, pem, rel.localApp.get("mtls-cert")));
          continue;
        }
        const uri = this.#ensureMtlsSecret(rel, undefined, pem, rel.localApp.get("secret-mtls"));
        rel.localApp.set("secret-mtls", uri);
        continue;
      }
      if (rel.localApp.get("requests") === undefined) continue;
      const crossModel = rel.isCrossModel;
      const objects = this.#ownRequestObjects(rel);
      let copied: string | undefined;
      for (const obj of objects) {
        if (crossModel) {
          const current = typeof obj["mtls-cert"] === "string" ? obj["mtls-cert"] : undefined;
          const sent = this.#crossModelCert(rel, pem, current);
          obj["mtls-cert"] = sent["mtls-cert"];
          copied = sent["encryption-secret"];
          continue;
        }
        const id = String(obj["request-id"]);
        const current = typeof obj["secret-mtls"] === "string" ? (obj["secret-mtls"] as string) : undefined;
        obj["secret-mtls"] = this.#ensureMtlsSecret(rel, id, pem, current);
      }
      rel.localApp.set("requests", formatRequests(objects));
      if (copied) rel.localApp.set("encryption-secret", copied);
    }
  }

  #ownRequestObjects(rel: Relation): Record<string, unknown>[] {
    return parseJsonObjects(rel.localApp.get("requests"));
  }

  /** v1: add a request on every relation (leader); the whole list is rewritten. */
  addRequest(spec: RequestSpec): void {
    if (this.contract !== "v1") throw new Error("addRequest needs the v1 contract");
    this.model.requireLeader("add a request");
    // Idempotent: re-adding a known resource must not count it twice (isReady compares counts).
    if (!this.#requests.some((r) => r.resource === spec.resource)) this.#requests.push(spec);
    for (const rel of this.model.relations(this.endpoint)) {
      const objects = this.#ownRequestObjects(rel);
      if (objects.some((o) => o.resource === spec.resource)) continue;
      objects.push(this.#requestObject(rel, spec));
      rel.localApp.update({ version: "v1", requests: formatRequests(objects) });
    }
  }

  /** v1: remove the request for a resource on every relation (leader), and its mTLS secret. */
  removeRequest(resource: string): void {
    if (this.contract !== "v1") throw new Error("removeRequest needs the v1 contract");
    this.model.requireLeader("remove a request");
    this.#requests = this.#requests.filter((r) => r.resource !== resource);
    for (const rel of this.model.relations(this.endpoint)) {
      const objects = this.#ownRequestObjects(rel);
      const keep = objects.filter((o) => o.resource !== resource);
      if (keep.length === objects.length) continue;
      for (const gone of objects.filter((o) => o.resource === resource)) {
        if (typeof gone["secret-mtls"] === "string") this.model.secrets.remove(gone["secret-mtls"]);
      }
      rel.localApp.set("requests", formatRequests(keep));
    }
  }

  // ------------------------------------------------------------------------------------------
  // Reading the provider's answer (every unit)

  async #onChanged(ref: RelationRef): Promise<void> {
    const rel = this.model.relation(ref);
    const providerBag = rel.remoteAppData();
    const limits = this.#issues(ref);
    if (!limits.withinLimits(providerBag))
      return this.#reportInvalid(ref, new RemoteDataError(limits.issues));
    if (this.#gatedBySubordinate(rel, providerBag)) return;
    if (this.definition.mtls) this.#resendCrossModelCert(rel, providerBag);
    let outcome: ChangeOutcome;
    try {
      outcome = this.#computeChange(rel, providerBag);
    } catch (e) {
      if (e instanceof RemoteDataError) return this.#reportInvalid(ref, e);
      throw e;
    }
    for (const s of outcome.raised) await this.events.emit("statusRaised", { relation: ref, status: s });
    for (const s of outcome.resolved) await this.events.emit("statusResolved", { relation: ref, status: s });
    for (const ev of outcome.events) {
      if (ev.kind === "created") {
        await this.events.emit("created", { response: ev.response });
        this.#dropRequestedEntitySecret(rel, ev.response);
      } else if (ev.kind === "changed")
        await this.events.emit("changed", { response: ev.response, keys: ev.keys });
      else await this.events.emit("credentialsRotated", { response: ev.response, groups: ev.keys });
    }
    if (outcome.snapshot !== undefined) rel.localUnit.set("data", outcome.snapshot);
  }

  /** Subordinate providers answer only once one of their units says `state: ready` (§4.9, I-11). */
  #gatedBySubordinate(rel: Relation, providerBag: Readonly<Bag>): boolean {
    if (parseBool(providerBag.subordinated) !== true) return false;
    return !rel.units.some((u) => rel.remoteUnitData(u).state === "ready");
  }

  async #reportInvalid(relation: RelationRef, error: RemoteDataError): Promise<void> {
    await emitOrBlock(this.events, "invalid", { relation, error }, this.model);
  }

  #computeChange(rel: Relation, providerBag: Readonly<Bag>): ChangeOutcome {
    const issues = this.#issues(rel.ref);
    const ownRaw = rel.localUnit.get("data");
    const snapshot = ownRaw === undefined ? {} : (parseSnapshotLenient(ownRaw) ?? {});
    const statusNow = parseStatusValue(issues, providerBag.status);
    const responses = this.#responsesFromBag(rel, providerBag, issues);
    if (issues.issues.length) throw new RemoteDataError(issues.issues);

    const events: ChangeEvent[] = [];
    const v1 = this.contract === "v1";
    // Null prototype: a remote `__proto__` key copied in by Object.assign stays a key.
    const newSnapshot: Record<string, unknown> = Object.create(null);
    let oldStatus: RelationStatus[] = [];
    for (const { requestId, bag } of responses) {
      const oldBag = v1 ? toBag(snapshot[requestId ?? ""]) : toBag(snapshot);
      const stored = this.#processResponse(rel, requestId, oldBag, bag, events);
      if (v1) newSnapshot[requestId!] = stored.entry;
      else Object.assign(newSnapshot, stored.entry);
    }
    if (v1) {
      oldStatus = statusFromV1Snapshot(snapshot.status);
      if (statusNow.length)
        newSnapshot.status = Object.fromEntries(statusNow.map((s) => [String(s.code), s]));
    } else {
      oldStatus = parseStatusLoose(typeof snapshot.status === "string" ? snapshot.status : undefined);
    }
    const { raised, resolved } = diffStatuses(oldStatus, statusNow);
    const text = v1 ? pyDumps(newSnapshot) : v0Snapshot(newSnapshot as Bag);
    return { events, raised, resolved, snapshot: text === ownRaw ? undefined : text };
  }

  /** The provider's answers as flat string bags: the v0 app bag itself, or each v1 response object. */
  #responsesFromBag(
    rel: Relation,
    providerBag: Readonly<Bag>,
    issues: IssueCollector,
  ): { requestId: string | undefined; bag: Bag }[] {
    if (this.contract === "v0") {
      const bag: Bag = Object.fromEntries(Object.entries(providerBag).filter(([k]) => k !== "data"));
      checkSecretUris(issues, "", bag);
      const sub = providerBag.subordinated;
      if (sub !== undefined && parseBool(sub) === undefined)
        issues.add("subordinated", "expected a boolean", sub);
      return [{ requestId: undefined, bag }];
    }
    if (providerBag.requests === undefined) return [];
    const list = issues.array("requests", providerBag.requests, "expected a JSON array of response objects");
    if (!list) return [];
    if (!issues.requestCount("requests", list, Math.max(this.#limits.maxRequests, this.#requests.length)))
      return [];
    const out: { requestId: string | undefined; bag: Bag }[] = [];
    const seen = new Set<string>();
    list.forEach((obj, i) => {
      if (!obj || typeof obj !== "object" || Array.isArray(obj)) {
        issues.add(`requests[${i}]`, "expected a JSON object", obj);
        return;
      }
      const o = obj as Record<string, unknown>;
      const resource = typeof o.resource === "string" ? o.resource : undefined;
      const salt = typeof o.salt === "string" ? o.salt : undefined;
      let id = typeof o["request-id"] === "string" ? (o["request-id"] as string) : undefined;
      if (id === undefined && resource !== undefined && salt !== undefined)
        id = computeRequestId(resource, salt);
      if (id === undefined) {
        issues.add(
          `requests[${i}].request-id`,
          "missing, and no resource + salt to compute it",
          o["request-id"],
        );
        return;
      }
      if (resource !== undefined && salt !== undefined && id !== computeRequestId(resource, salt)) {
        issues.add(`requests[${i}].request-id`, "does not match sha256(resource:salt)[:16]", id);
        return;
      }
      if (seen.has(id)) {
        issues.add(`requests[${i}].request-id`, "duplicate request id", id);
        return;
      }
      seen.add(id);
      // Not one of our requests (a withdrawn one's leftover, or never ours): nothing to read there.
      if (resource !== undefined && !this.#requests.some((r) => r.resource === resource)) return;
      const bag: Bag = toBag(o);
      checkSecretUris(issues, `requests[${i}].`, bag);
      out.push({ requestId: id, bag });
    });
    void rel;
    return out;
  }

  #processResponse(
    rel: Relation,
    requestId: string | undefined,
    oldBag: Bag,
    bag: Bag,
    events: ChangeEvent[],
  ): { entry: Record<string, string> } {
    const diff = diffBags(omit(oldBag, "status"), omit(bag, "status"));
    const touched = [...diff.added, ...diff.changed, ...diff.deleted];
    if (touched.length === 0) return { entry: bag };
    const badBag = this.#validateBag?.(bag, rel.ref);
    if (badBag) throw badBag;
    const response = this.#resolve(rel, requestId, bag);
    const badResponse = this.#validateResponse?.(response);
    if (badResponse) throw badResponse;
    // Do not advance the snapshot past secrets we could not read yet: they count as new next time.
    const entry = omit(bag, ...response.pendingSecrets.map((g) => `secret-${g}`));
    const wasReady = this.#readyFromKeys(oldBag, response.resource);
    if (response.ready && !wasReady) {
      events.push({ kind: "created", response, keys: [] });
      // Keys that existed before and changed are still news; keys first seen now are covered by created.
      const keys = diff.changed.filter((k) => !k.startsWith("secret-") && !isBookkeeping(k));
      if (keys.length) events.push({ kind: "changed", response, keys: keys.map((k) => this.#canonical(k)) });
      return { entry };
    }
    if (!response.ready || !wasReady) return { entry };
    const plain = touched.filter((k) => !k.startsWith("secret-") && !isBookkeeping(k) && !isEcho(k));
    if (plain.length) events.push({ kind: "changed", response, keys: plain.map((k) => this.#canonical(k)) });
    const groups = touched
      .filter((k) => k.startsWith("secret-") && !response.pendingSecrets.includes(k.slice(7)))
      .map((k) => k.slice("secret-".length));
    if (groups.length) events.push({ kind: "rotated", response, keys: groups });
    return { entry };
  }

  #canonical(key: string): string {
    return this.contract === "v0" ? canonicalKey(key, this.definition.v0Keys) : key;
  }

  #readyFromKeys(bag: Bag, resource: string | undefined): boolean {
    return this.#readyFieldsFor(resource).every((f) => {
      const flat = this.contract === "v0" ? (ownValue(this.definition.v0Keys, f) ?? f) : f;
      return bag[flat] !== undefined || bag[f] !== undefined || bag[`secret-${groupOf(f)}`] !== undefined;
    });
  }

  /** Resolve a response bag: plain fields, then secret content over them (§4.4 reading rule). */
  #resolve(rel: Relation, requestId: string | undefined, bag: Bag): ResolvedResponse {
    // Remote keys as own data properties: `__proto__` or `constructor` are keys like any other.
    const fields: Record<string, string> = Object.fromEntries(
      Object.entries(bag)
        .filter(([k]) => !(k.startsWith("secret-") || k === "data" || k === "status"))
        .map(([k, v]) => [this.#canonical(k), v]),
    );
    const pending: string[] = [];
    for (const [k, uri] of Object.entries(bag)) {
      if (!k.startsWith("secret-")) continue;
      const group = k.slice("secret-".length);
      if (!isSecretGroup(group)) continue; // not a protocol group: nothing of ours lives there
      const label = secretLabel({
        endpoint: rel.endpoint,
        relationId: rel.id,
        ...(requestId ? { requestId } : {}),
        group: group as never,
      });
      const read = this.model.secrets.read(uri, { label, mode: "refresh" });
      if (read.ok) Object.assign(fields, read.content);
      else pending.push(group);
    }
    const resource =
      this.contract === "v0"
        ? (fields[this.definition.resourceKey] ?? this.#requests[0]?.resource ?? "")
        : (fields.resource ?? "");
    const ready = this.#readyFieldsFor(resource).every((f) => fields[f] !== undefined);
    return {
      relation: rel.ref,
      remoteApp: rel.remoteApp,
      contract: this.contract,
      ...(requestId ? { requestId } : {}),
      resource,
      fields,
      pendingSecrets: pending,
      ready,
    };
  }

  /** Every answered request on every relation of the endpoint, secrets resolved (one read each). */
  responses(): ResolvedResponse[] {
    const out: ResolvedResponse[] = [];
    for (const rel of this.model.relations(this.endpoint)) {
      const issues = this.#issues(rel.ref);
      const providerBag = rel.remoteAppData();
      if (this.#gatedBySubordinate(rel, providerBag)) continue;
      const list = this.#responsesFromBag(rel, providerBag, issues);
      if (issues.issues.length) continue;
      for (const { requestId, bag } of list) {
        const unanswered =
          bag[this.definition.resourceKey] === undefined && !this.#readyFromKeys(bag, undefined);
        if (this.contract === "v0" && unanswered) {
          continue;
        }
        out.push(this.#resolve(rel, requestId, bag));
      }
    }
    return out;
  }

  /** True when every request on every relation has a ready response. */
  isReady(): boolean {
    const rels = this.model.relations(this.endpoint);
    if (rels.length === 0) return false;
    const responses = this.responses();
    return rels.every((rel) => {
      const mine = responses.filter((r) => r.relation.id === rel.id && r.ready);
      return this.contract === "v0" ? mine.length > 0 : mine.length >= this.#requests.length;
    });
  }

  // ------------------------------------------------------------------------------------------
  // Rotation and teardown

  /** secret-changed: route by our label, else by URI among this endpoint's relations (§6.4). */
  async #onSecretChanged(secretId: string | undefined, label: string | undefined): Promise<void> {
    if (!secretId) return;
    const parsed = label ? parseSecretLabel(label) : undefined;
    let candidates: Relation[];
    if (parsed) {
      if (parsed.endpoint !== this.endpoint) return;
      candidates = [this.model.relation({ endpoint: this.endpoint, id: parsed.relationId })];
    } else {
      candidates = this.model.relations(this.endpoint);
    }
    const xid = xidOf(secretId);
    for (const rel of candidates) {
      if (!rel.active) continue;
      const providerBag = rel.remoteAppData();
      const issues = this.#issues(rel.ref);
      for (const { requestId, bag } of this.#responsesFromBag(rel, providerBag, issues)) {
        const groups = Object.entries(bag)
          .filter(([k, v]) => k.startsWith("secret-") && xidOf(v) === xid)
          .map(([k]) => k.slice("secret-".length));
        if (groups.length === 0) continue;
        const response = this.#resolve(rel, requestId, bag);
        await this.events.emit("credentialsRotated", { response, groups });
        return;
      }
    }
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
}

type ChangeEvent = {
  kind: "created" | "changed" | "rotated";
  response: ResolvedResponse;
  keys: readonly string[];
};
interface ChangeOutcome {
  events: ChangeEvent[];
  raised: RelationStatus[];
  resolved: RelationStatus[];
  snapshot: string | undefined;
}

/** `secret-<group>` values must be secret URIs: a broken one is the provider's error, not a hook-tool failure. */
function checkSecretUris(issues: IssueCollector, prefix: string, bag: Readonly<Bag>): void {
  for (const [k, v] of Object.entries(bag)) {
    if (
      k.startsWith("secret-") &&
      isSecretGroup(k.slice("secret-".length)) &&
      parseSecretUri(v) === undefined
    ) {
      issues.add(`${prefix}${k}`, "expected a secret URI", v);
    }
  }
}

function omit(bag: Bag, ...keys: string[]): Bag {
  return Object.fromEntries(Object.entries(bag).filter(([k]) => !keys.includes(k)));
}

/**
 * Bookkeeping keys of a response bag. `version` is not one of them here: in a v0 bag and in a v1
 * response object it is the engine version (a field); only the v1 top level uses it for `v1`.
 */
function isBookkeeping(key: string): boolean {
  return key !== "version" && BOOKKEEPING_KEYS.has(key);
}

/** Keys a response echoes back (never "news" for the charm). */
function isEcho(key: string): boolean {
  return key === "resource" || key === "request-id" || key === "salt";
}

/** A v1 object as a flat string bag (nulls dropped); entries, so a `__proto__` key stays a key. */
function toBag(value: unknown): Bag {
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, wireString(v)]),
  );
}

/** Our own snapshot: a JSON object, or nothing usable (then we start over, as Python does). */
function parseSnapshotLenient(raw: string): Record<string, unknown> | undefined {
  const parsed = parseJson(raw);
  const v = parsed.ok ? parsed.value : undefined;
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function isStatus(v: unknown): v is RelationStatus {
  if (!v || typeof v !== "object") return false;
  const o = v as Record<string, unknown>;
  return Number.isInteger(o.code) && typeof o.message === "string" && typeof o.resolution === "string";
}

/** The provider's current `status`, validated (a malformed one is an issue, not a crash). */
function parseStatusValue(issues: IssueCollector, raw: string | undefined): RelationStatus[] {
  if (raw === undefined) return [];
  const rule = "expected a JSON array of {code, message, resolution}";
  const list = issues.array("status", raw, rule);
  if (list && !list.every(isStatus)) {
    issues.add("status", rule, raw);
    return [];
  }
  return (list as RelationStatus[] | undefined) ?? [];
}

function parseStatusLoose(raw: string | undefined): RelationStatus[] {
  const parsed = raw === undefined ? undefined : parseJson(raw);
  return parsed?.ok && Array.isArray(parsed.value) ? parsed.value.filter(isStatus) : [];
}

function statusFromV1Snapshot(value: unknown): RelationStatus[] {
  if (!value || typeof value !== "object") return [];
  return Object.values(value as Record<string, unknown>).filter(isStatus);
}
