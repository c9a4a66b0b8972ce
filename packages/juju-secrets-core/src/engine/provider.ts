/**
 * The generic provider side of the data-interfaces protocol: serves v0 and v1 requirers on the same
 * endpoint (a contract object per relation, chosen by the requirer's `version`), validates requests
 * against the definition's schemas, keeps the `data` snapshot, emits the definition's request events
 * on the leader, and publishes answers with the right secret routing (protocol §4.4, §5.5, §10).
 */

import { canonicalKey, IssueCollector, remoteLimits } from "../contract/issues.js";
import { writeGroup } from "../contract/secrets.js";
import type { ProviderChange, ProviderContract, ProviderHost, ProviderRequest } from "../contract/types.js";
import { v0Provider } from "../contract/v0.js";
import { V1Provider } from "../contract/v1.js";
import { IMMUTABLE_RULE, RemoteDataError, type RemoteDataIssue, RequestChangedError } from "../errors.js";
import type { Charm } from "../hook/charm.js";
import { Emitter, type EventMap, type Handler } from "../hook/emitter.js";
import { StatusNotes } from "../hook/status-notes.js";
import type { RemoteLimits } from "../limits.js";
import { DepartureMarker } from "../model/departure.js";
import type { Model, Relation } from "../model/model.js";
import { type StringBag, toBag } from "../protocol/bag.js";
import { fernetDecrypt, generateFernetKey } from "../protocol/fernet.js";
import { encryptionSecretLabel, parseSecretLabel, secretLabel } from "../protocol/secrets.js";
import { formatStatuses, parseStatuses, type RelationStatus } from "../protocol/status.js";
import type { RelationRef } from "../types.js";
import { tearDownBrokenRelation, wireOf } from "./common.js";
import type { AnyDefinition } from "./definition.js";
import { clearInvalid, emitOrBlock, type ProviderEvents } from "./events.js";
import { checkRequest } from "./validate.js";

export interface DataProviderOptions<R = ProviderRequest> {
  /**
   * Called on relation-broken (leader) before the relation's secrets are removed; return true to keep
   * them. A unit that is being removed (LP#1979811) keeps them anyway (see `isDeparting`).
   */
  readonly retainSecretsOnBroken?: (relation: RelationRef) => boolean;
  /** Where this unit remembers that it is departing (default `<charm dir>/.charm-relations`). */
  readonly stateDir?: string;
  /**
   * Limits on what requirers write (value size, JSON depth, v1 requests per relation; see
   * `DEFAULT_REMOTE_LIMITS`). A relation over a limit gets `invalid` and nothing is written for it.
   */
  readonly limits?: Partial<RemoteLimits>;
  /** The interface's view of a request (the events and `requests()` hand these out). */
  readonly toRequest?: (request: ProviderRequest) => R;
  /** A further check of a parsed request, after the definition's schemas. */
  readonly validateRequest?: (request: ProviderRequest) => RemoteDataError | undefined;
}

/** The entity a requirer asked for in its `requested-entity-secret` (§4.10), as the provider reads it. */
export type RequestedEntityRead =
  | { readonly ok: true; readonly name: string; readonly password?: string }
  | { readonly ok: false; readonly reason: "absent" | "not-found" | "permission-denied" | "invalid" };

/** Which request a publish is for: a request (v1: its id), or a relation (v0). */
export type PublishTarget = { readonly relation: RelationRef; readonly requestId?: string } | RelationRef;

type Fields = Readonly<Record<string, string | undefined>>;

function targetOf(target: PublishTarget): { relation: RelationRef; requestId: string | undefined } {
  return "relation" in target
    ? { relation: target.relation, requestId: target.requestId }
    : { relation: target, requestId: undefined };
}

export class DataProvider<
  D extends AnyDefinition = AnyDefinition,
  R = ProviderRequest,
  X extends EventMap = Record<never, never>,
> {
  /** The definition's events, and `X`: the events an interface class adds of its own. */
  readonly events = new Emitter<ProviderEvents<D, R> & X>();
  readonly charm: Charm;
  readonly endpoint: string;
  readonly definition: D;
  readonly #contracts: { readonly v0: ProviderContract; readonly v1: ProviderContract };
  readonly #host: ProviderHost;
  readonly #retain: DataProviderOptions<R>["retainSecretsOnBroken"];
  readonly #limits: RemoteLimits;
  readonly #departure: DepartureMarker;
  /** `blocked` notes for relations whose remote data no `invalid` listener took. */
  readonly #notes: StatusNotes;
  readonly #toRequest: (request: ProviderRequest) => R;

  constructor(charm: Charm, endpoint: string, definition: D, options: DataProviderOptions<R> = {}) {
    this.charm = charm;
    this.endpoint = endpoint;
    this.definition = definition;
    this.#retain = options.retainSecretsOnBroken;
    this.#limits = remoteLimits(options.limits);
    this.#notes = new StatusNotes(charm, `provider:${definition.name}:${endpoint}`);
    this.#departure = new DepartureMarker(
      charm.model,
      options.stateDir ? { stateDir: options.stateDir } : {},
    );
    this.#toRequest = options.toRequest ?? ((r) => r as R);
    this.#contracts = { v0: v0Provider, v1: new V1Provider() };
    const model = charm.model;
    const extra = options.validateRequest;
    this.#host = {
      model,
      endpoint,
      wire: wireOf(definition),
      issues: (relation) => this.#issues(relation),
      check: (request, issues) => {
        const bad = [...checkRequest(definition, request), ...(extra?.(request)?.issues ?? [])];
        if (bad.length === 0) return request;
        issues.issues.push(...bad);
        return undefined;
      },
      published: (answer, v0Keys) => this.#publishedOf(answer, v0Keys),
      writeGroup: (rel, requestId, group, uri, values) =>
        writeGroup(model, rel, requestId, group, uri, values),
    };
    const filter = { endpoint };
    charm.on("relationDeparted", (e) => this.#departure.departed(e.relation.ref, e.departingUnit), filter);
    charm.on("relationCreated", (e) => this.#onCreated(e.relation), filter);
    charm.on("relationChanged", (e) => this.#onChanged(e.relation), filter);
    charm.on("relationBroken", (e) => this.#onBroken(e.relation.ref, e.remoteApp), filter);
    charm.on("secretChanged", (e) => this.#onSecretChanged(e.secretId, e.secretLabel));
    charm.on("secretRemove", (e) => this.#onSecretRemove(e.secretLabel, e.secretId, e.secretRevision));
  }

  get model(): Model {
    return this.charm.model;
  }

  /** Observe an event; returns a function that removes the handler. */
  on<K extends keyof (ProviderEvents<D, R> & X)>(
    name: K,
    handler: Handler<(ProviderEvents<D, R> & X)[K]>,
  ): () => void {
    return this.events.on(name, handler);
  }

  #issues(relation: RelationRef): IssueCollector {
    return new IssueCollector(relation, "requirer", "app", this.#limits);
  }

  #emit(name: string, payload: unknown): Promise<void> {
    return (this.events.emit as (n: string, p: unknown) => Promise<void>)(name, payload);
  }

  /** The contract a requirer speaks (its `version`); undefined with an issue when unknown. */
  #contractOf(bag: Readonly<StringBag>, issues: IssueCollector): ProviderContract | undefined {
    const version = bag.version;
    if (version === undefined) return this.#contracts.v0;
    if (version === "v1") return this.#contracts.v1;
    issues.add("version", 'expected "v1" or no version key (v0)', version);
    return undefined;
  }

  // ------------------------------------------------------------------------------------------
  // Reading requests

  async #onCreated(rel: Relation): Promise<void> {
    if (!this.definition.crossModelEncryption) return;
    // Same-model relations (the common case) need no key: ask relation-model-get before is-leader.
    if (!rel.isCrossModel || !this.model.isLeader()) return;
    if (rel.localApp.get("encryption-secret") !== undefined) return;
    const uri = this.model.secrets.add(
      { "encryption-key": generateFernetKey() },
      { label: encryptionSecretLabel(this.model.modelUuid, rel.id), owner: "application" },
    );
    this.model.secrets.grant(uri, rel.ref);
    rel.localApp.set("encryption-secret", uri);
  }

  async #onChanged(rel: Relation): Promise<void> {
    // Non-leaders cannot read the provider's own snapshot; they rebuild state from `requests()`.
    if (!this.model.isLeader()) return;
    const requirerBag = rel.remoteAppData();
    const issues = this.#issues(rel.ref);
    if (!issues.withinLimits(requirerBag)) return this.#invalid(rel, issues.issues);
    const contract = this.#contractOf(requirerBag, issues);
    const changes = contract ? contract.changed(rel, requirerBag, issues, this.#host) : [];
    if (!issues.ok) return this.#invalid(rel, issues.issues);
    clearInvalid(this.#notes, rel.ref);
    const base = { relation: rel.ref, remoteApp: rel.remoteApp };
    const names = this.definition.requested ?? {};
    const fresh: R[] = [];
    for (const change of changes) await this.#emitChange(change, base, names, fresh, rel);
    if (names.bulk && fresh.length) await this.#emit(names.bulk, { ...base, requests: fresh });
  }

  async #emitChange(
    change: ProviderChange,
    base: { relation: RelationRef; remoteApp: string | null },
    names: NonNullable<AnyDefinition["requested"]>,
    fresh: R[],
    rel: Relation,
  ): Promise<void> {
    switch (change.kind) {
      case "requested":
      case "entityRequested": {
        const request = this.#toRequest(change.request);
        if (change.kind === "requested") fresh.push(request);
        const name =
          change.kind === "requested" ? (names.default ?? "requested") : (names.entity ?? "entityRequested");
        return this.#emit(name, { ...base, request });
      }
      case "entityPermissionsChanged":
        return this.#emit(names.permissions ?? "entityPermissionsChanged", {
          ...base,
          request: this.#toRequest(change.request),
        });
      case "requestRemoved":
        return this.#emit("requestRemoved", {
          ...base,
          request: this.#toRequest(change.request),
          published: change.published,
        });
      case "mtls":
        return this.#mtlsChanged(rel, change);
    }
  }

  async #invalid(rel: Relation, issues: readonly RemoteDataIssue[]): Promise<void> {
    const changed = issues.length > 0 && issues.every((i) => i.rule === IMMUTABLE_RULE);
    const error = changed ? new RequestChangedError(issues) : new RemoteDataError(issues);
    const payload = { relation: rel.ref, remoteApp: rel.remoteApp, error };
    await emitOrBlock(
      this.events as unknown as Emitter<{ invalid: typeof payload }>,
      "invalid",
      payload,
      this.#notes,
    );
  }

  /** The valid requests of one relation (any unit: it reads only the requirer's bag). */
  #requestsOf(rel: Relation): ProviderRequest[] {
    const bag = rel.remoteAppData();
    const issues = this.#issues(rel.ref);
    return this.#contractOf(bag, issues)?.requests(rel, bag, issues, this.#host) ?? [];
  }

  /** Every valid request (any unit: it reads only the requirers' bags); of one relation when given. */
  requests(relation?: RelationRef | number): R[] {
    return this.#relations(relation).flatMap((rel) => this.#requestsOf(rel).map(this.#toRequest));
  }

  /** The endpoint's relations, or just one (no `relation-ids`: e.g. the hook's own relation). */
  #relations(relation: RelationRef | number | undefined): Relation[] {
    const id = typeof relation === "number" ? relation : relation?.id;
    return id === undefined
      ? this.model.relations(this.endpoint)
      : [this.model.relation({ endpoint: this.endpoint, id })];
  }

  /** The request on one relation (v0), or with a given id (v1). */
  request(relation: RelationRef | number, requestId?: string): R | undefined {
    const id = typeof relation === "number" ? relation : relation.id;
    const found = this.#requestsOf(this.model.relation({ endpoint: this.endpoint, id })).find(
      (r) => requestId === undefined || r.requestId === requestId,
    );
    return found && this.#toRequest(found);
  }

  /**
   * Requests that already have an answer with credentials (leader): the ones to refresh. On one
   * relation when given (no `relation-ids`: e.g. the hook's own relation).
   */
  answeredRequests(relation?: RelationRef | number): R[] {
    return this.#byAnswered(true, relation);
  }

  /** Requests still waiting for credentials (leader), on one relation when given. */
  pendingRequests(relation?: RelationRef | number): R[] {
    return this.#byAnswered(false, relation);
  }

  #byAnswered(answered: boolean, relation: RelationRef | number | undefined): R[] {
    this.model.requireLeader(`list the requests on ${this.endpoint}`);
    return this.#relations(relation).flatMap((rel) => {
      const bag = rel.remoteAppData();
      const contract = this.#contractOf(bag, this.#issues(rel.ref));
      if (!contract) return [];
      return (contract.requests(rel, bag, this.#issues(rel.ref), this.#host) ?? [])
        .filter((r) => contract.answered(rel, r.requestId) === answered)
        .map(this.#toRequest);
    });
  }

  // ------------------------------------------------------------------------------------------
  // mTLS client certificates

  async #mtlsChanged(rel: Relation, change: Extract<ProviderChange, { kind: "mtls" }>): Promise<void> {
    const { requestId, bag, previous } = change;
    const cert = this.#readCert(rel, requestId, bag);
    if (cert === undefined) return;
    const oldCert =
      previous["mtls-cert"] !== undefined
        ? this.#decryptIfNeeded(rel, previous["mtls-cert"], bag)
        : undefined;
    // The same certificate re-sent (cross-model: re-encrypted once the key arrived) is no news (I-4).
    if (oldCert !== undefined && oldCert === cert) return;
    await this.#emit("mtlsCertUpdated", {
      relation: rel.ref,
      remoteApp: rel.remoteApp,
      ...(requestId ? { requestId } : {}),
      ...(oldCert !== undefined ? { oldCert } : {}),
      cert,
      fresh: change.fresh,
    });
  }

  /** The client certificate of a request: the `secret-mtls` secret first, then the plain/Fernet key (I-25). */
  #readCert(rel: Relation, requestId: string | undefined, bag: Readonly<StringBag>): string | undefined {
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

  #decryptIfNeeded(rel: Relation, value: string, bag: Readonly<StringBag>): string | undefined {
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

  /** The current client certificates of every request, or one relation's (any unit; for trust stores). */
  clientCertificates(
    relation?: RelationRef | number,
  ): { relation: RelationRef; requestId?: string; cert: string }[] {
    const out: { relation: RelationRef; requestId?: string; cert: string }[] = [];
    for (const rel of this.#relations(relation)) {
      for (const request of this.#requestsOf(rel)) {
        const cert = this.#readCert(rel, request.requestId, toBag(request.raw));
        if (cert !== undefined)
          out.push({
            relation: request.relation,
            ...(request.requestId ? { requestId: request.requestId } : {}),
            cert,
          });
      }
    }
    return out;
  }

  async #onSecretChanged(secretId: string, label: string | undefined): Promise<void> {
    if (!this.definition.mtls) return;
    const parsed = label ? parseSecretLabel(label) : undefined;
    if (!parsed || parsed.endpoint !== this.endpoint || parsed.group !== "mtls") return;
    // Old content: the tracked revision; new: refresh. Every unit gets this (trust stores).
    const old = this.model.secrets.read(secretId, { mode: "tracked" });
    const now = this.model.secrets.read(secretId, { mode: "refresh" });
    if (!now.ok || now.content["mtls-cert"] === undefined) return;
    const oldCert = old.ok ? old.content["mtls-cert"] : undefined;
    const relation = { endpoint: this.endpoint, id: parsed.relationId };
    await this.#emit("mtlsCertUpdated", {
      relation,
      remoteApp: this.model.relation(relation).remoteApp,
      ...(parsed.requestId ? { requestId: parsed.requestId } : {}),
      ...(oldCert !== undefined && oldCert !== now.content["mtls-cert"] ? { oldCert } : {}),
      cert: now.content["mtls-cert"],
      fresh: false,
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

  /**
   * relation-broken, before the engine removes the relation's secrets (when it does): the last moment
   * to read what was published on it (`kept`: this unit departs, or the charm retains the secrets).
   * For interface classes that act on it (e.g. users to delete).
   */
  protected beforeBroken(_relation: RelationRef, _kept: boolean): void {}

  async #onBroken(ref: RelationRef, remoteApp: string | undefined): Promise<void> {
    clearInvalid(this.#notes, ref);
    this.beforeBroken(ref, this.isDeparting(ref) || (this.#retain?.(ref) ?? false));
    await tearDownBrokenRelation(this.model, this.isDeparting(ref), this.#retain, ref, (departing) =>
      this.#emit("gone", { relation: ref, remoteApp: remoteApp ?? null, departing }),
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
  requestedEntity(request: {
    readonly relation: RelationRef;
    readonly requestId?: string;
  }): RequestedEntityRead {
    const found = this.#requestsOf(this.model.relation(request.relation)).find(
      (r) => r.requestId === request.requestId,
    );
    const uri = found?.raw["requested-entity-secret"];
    if (typeof uri !== "string" || uri === "") return { ok: false, reason: "absent" };
    const read = this.model.secrets.read(uri, { mode: "refresh" });
    if (!read.ok) return { ok: false, reason: read.reason };
    const name = read.content["entity-name"];
    if (!name) return { ok: false, reason: "invalid" };
    const password = read.content["entity-password"] ?? read.content.password;
    return password ? { ok: true, name, password } : { ok: true, name };
  }

  // ------------------------------------------------------------------------------------------
  // Publishing (leader)

  /** Plain fields of an answer of ours (canonical names), then our secrets' content over them. */
  #publishedOf(answer: Readonly<StringBag>, v0Keys: Readonly<Record<string, string>> | undefined): StringBag {
    const out: StringBag = {};
    for (const [k, v] of Object.entries(answer))
      if (!k.startsWith("secret-")) out[canonicalKey(k, v0Keys)] = v;
    for (const [k, v] of Object.entries(answer)) {
      if (k.startsWith("secret-") && k !== "secret-mtls")
        Object.assign(out, this.model.secrets.readOwned(v) ?? {});
    }
    return out;
  }

  /** What this app published for a request or relation (leader), canonical names, secrets resolved. */
  published(target: PublishTarget): StringBag {
    const { relation, requestId } = targetOf(target);
    this.model.requireLeader(`read what was published on ${relation.endpoint}:${relation.id}`);
    const rel = this.model.relation(relation);
    const contract = requestId === undefined ? this.#contracts.v0 : this.#contracts.v1;
    return this.#publishedOf(
      contract.answerOf(rel, requestId),
      requestId === undefined ? this.definition.v0Keys : undefined,
    );
  }

  /**
   * Publish fields for a request (v1: with its id) or a relation (v0), leader. `undefined` removes a
   * field. Fields go to secrets or plain keys as the requirer's contract routes them; unchanged content
   * costs no write.
   */
  publishFields(target: PublishTarget, fields: Fields): void {
    const { relation, requestId } = targetOf(target);
    this.model.requireLeader(`publish on ${relation.endpoint}:${relation.id}`);
    const rel = this.model.relation(relation);
    const requirerBag = rel.remoteAppData();
    const issues = this.#issues(rel.ref);
    const contract = this.#contractOf(requirerBag, issues);
    if (!contract) throw new RemoteDataError(issues.issues);
    contract.publish(rel, requirerBag, fields, requestId, this.#host);
  }

  /** Publish the same fields to every request on every relation (endpoints, version, TLS …). */
  publishAllFields(fields: Fields): void {
    for (const rel of this.model.relations(this.endpoint)) {
      for (const r of this.#requestsOf(rel)) {
        this.publishFields(
          { relation: r.relation, ...(r.requestId ? { requestId: r.requestId } : {}) },
          fields,
        );
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Status codes (leader)

  raiseStatus(relation: RelationRef, status: RelationStatus): void {
    const rel = this.model.relation(relation);
    writeStatuses(rel, [...readStatuses(rel).filter((s) => s.code !== status.code), status]);
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

function readStatuses(rel: Relation): RelationStatus[] {
  return parseStatuses(rel.localApp.get("status")).statuses;
}

function writeStatuses(rel: Relation, list: readonly RelationStatus[]): void {
  rel.localApp.set("status", list.length ? formatStatuses(list) : undefined);
}
