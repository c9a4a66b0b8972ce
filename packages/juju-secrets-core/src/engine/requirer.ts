/**
 * The generic requirer side of the data-interfaces protocol, configured by an interface definition and
 * holding one contract object (v0 flat or v1 requests). It writes the request, reads, validates and
 * resolves the provider's answers, builds each answer's typed connection once per hook, keeps the
 * per-unit snapshot, and emits the definition's events.
 *
 * Per hook it costs at most: one read of the provider app bag, one of the own unit bag (snapshot), one
 * `secret-get` per secret group that is needed, one `relation-set` of the snapshot (protocol §9).
 */

import { IssueCollector, remoteLimits } from "../contract/issues.js";
import type { AnswerBag, RequestSpec, RequirerContract, RequirerHost } from "../contract/types.js";
import { v0Requirer } from "../contract/v0.js";
import { v1Requirer } from "../contract/v1.js";
import { RemoteDataError, type RemoteDataIssue } from "../errors.js";
import type { Charm } from "../hook/charm.js";
import { Emitter, type EventMap, type Handler } from "../hook/emitter.js";
import { StatusNotes } from "../hook/status-notes.js";
import type { RemoteLimits } from "../limits.js";
import { DepartureMarker } from "../model/departure.js";
import type { Model, Relation } from "../model/model.js";
import { omitKeys, type StringBag } from "../protocol/bag.js";
import { parseBool, parseSecretUri, xidOf } from "../protocol/codecs.js";
import {
  DEFAULT_REQUESTED_SECRETS,
  groupOf,
  isSecretGroup,
  parseSecretLabel,
  type SecretGroup,
  secretLabel,
} from "../protocol/secrets.js";
import { diffBags, parseV0Snapshot } from "../protocol/snapshot.js";
import { diffStatuses } from "../protocol/status.js";
import type { Contract, RelationRef } from "../types.js";
import { sameBag, tearDownBrokenRelation, wireOf } from "./common.js";
import type { Answer, AnyDefinition, ConnectionOf } from "./definition.js";
import { clearInvalid, emitOrBlock, type RequirerEvents } from "./events.js";
import { checkAnswer, checkSecret } from "./validate.js";

export interface DataRequirerOptions {
  /** Default: the definition's first requirer contract. */
  readonly contract?: Contract;
  /** What to ask for; a function is evaluated on first use (options derived from config cost nothing before). */
  readonly requests: readonly RequestSpec[] | (() => readonly RequestSpec[]);
  /** Extra provider fields to request as secrets (appended to the default `requested-secrets`). */
  readonly additionalSecretFields?: readonly string[];
  /**
   * Called on relation-broken (leader) before the requirer-owned secrets (`mtls`, requested entity) are
   * removed; return true to keep them. A unit that is being removed (LP#1979811) keeps them anyway.
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

/** One answer of one hook: what it resolves to, validated, with its typed connection when ready. */
interface Resolved {
  readonly answer: Answer;
  readonly connection: unknown;
  readonly error: RemoteDataError | undefined;
}

type Kind =
  | { readonly event: "created" }
  | { readonly event: "changed"; readonly keys: readonly string[] }
  | { readonly event: "rotated"; readonly groups: readonly string[] };

const BOOKKEEPING = new Set(["data", "status", "alias", "requests"]);
/** Keys a response echoes back: never news for the charm. */
const ECHO = new Set(["resource", "request-id", "salt"]);

export class DataRequirer<
  D extends AnyDefinition = AnyDefinition,
  X extends EventMap = Record<never, never>,
> {
  /** The definition's events, and `X`: the events an interface class adds of its own. */
  readonly events = new Emitter<RequirerEvents<D> & X>();
  readonly charm: Charm;
  readonly endpoint: string;
  readonly definition: D;
  readonly contract: Contract;
  readonly #wire: RequirerContract;
  readonly #host: RequirerHost;
  readonly #lazy: () => readonly RequestSpec[];
  #specs: RequestSpec[] | undefined;
  readonly #retain: DataRequirerOptions["retainSecretsOnBroken"];
  readonly #limits: RemoteLimits;
  readonly #departure: DepartureMarker;
  /** `blocked` notes for relations whose remote data no `invalid` listener took. */
  readonly #notes: StatusNotes;
  /** This hook's answers, resolved once: `<relation id>/<request id>`. */
  readonly #resolved = new Map<string, Resolved>();

  constructor(charm: Charm, endpoint: string, definition: D, options: DataRequirerOptions) {
    this.charm = charm;
    this.endpoint = endpoint;
    this.definition = definition;
    this.contract = options.contract ?? definition.contracts.requirer[0] ?? "v0";
    this.#wire = this.contract === "v1" ? v1Requirer : v0Requirer;
    const requests = options.requests;
    this.#lazy = typeof requests === "function" ? requests : () => requests;
    this.#retain = options.retainSecretsOnBroken;
    this.#limits = remoteLimits(options.limits);
    this.#notes = new StatusNotes(charm, `requirer:${definition.name}:${endpoint}`);
    this.#departure = new DepartureMarker(
      charm.model,
      options.stateDir ? { stateDir: options.stateDir } : {},
    );
    const requestedSecrets = [...DEFAULT_REQUESTED_SECRETS, ...(options.additionalSecretFields ?? [])];
    const specs = () => this.requests;
    this.#host = { model: charm.model, endpoint, wire: wireOf(definition), specs, requestedSecrets };
    if (typeof requests !== "function") this.#check(requests);
    const filter = { endpoint };
    charm.on("relationDeparted", (e) => this.#departure.departed(e.relation.ref, e.departingUnit), filter);
    charm.on("relationCreated", (e) => this.#onCreated(e.relation), filter);
    charm.on("relationChanged", (e) => this.#onChanged(e.relation), filter);
    charm.on("relationBroken", (e) => this.#onBroken(e.relation.ref, e.remoteApp), filter);
    charm.on("secretChanged", (e) => this.#onSecretChanged(e.secretId, e.secretLabel));
    charm.on("leaderElected", () => this.ensureRequests());
  }

  get model(): Model {
    return this.charm.model;
  }

  /** Observe an event; returns a function that removes the handler. */
  on<K extends keyof (RequirerEvents<D> & X)>(
    name: K,
    handler: Handler<(RequirerEvents<D> & X)[K]>,
  ): () => void {
    return this.events.on(name, handler);
  }

  /** This requirer's requests (lazy options are evaluated here, once). */
  get requests(): readonly RequestSpec[] {
    if (this.#specs === undefined) {
      const specs = [...this.#lazy()];
      this.#check(specs);
      this.#specs = specs;
    }
    return this.#specs;
  }

  /** The `requested-secrets` list this requirer sends (v0). */
  get requestedSecrets(): readonly string[] {
    return this.#host.requestedSecrets;
  }

  #check(specs: readonly RequestSpec[]): void {
    const name = this.definition.name;
    if (specs.filter((r) => r.requestedEntity).length > 1)
      throw new Error(`${name} requirer: at most one request may carry a requested entity`);
    if (this.contract === "v0" && specs.length !== 1)
      throw new Error(`${name} v0 requirer takes exactly one request, got ${specs.length}`);
  }

  // ------------------------------------------------------------------------------------------
  // Writing the request (leader)

  /** Write the request on every relation where it is missing (leader). Safe to call from any hook. */
  ensureRequests(): void {
    // No relation yet (a fresh deploy's leader-elected): nothing to ask, not even is-leader.
    const relations = this.model.relations(this.endpoint);
    if (relations.length === 0 || !this.model.isLeader()) return;
    for (const rel of relations)
      if (!this.#wire.hasRequest(rel, this.#host)) this.#wire.writeRequest(rel, this.#host);
  }

  async #onCreated(rel: Relation): Promise<void> {
    // leader-elected may have written it already: a second write would draw a new salt (v1) and
    // orphan, or clash with, the mTLS secret of the first.
    if (this.model.isLeader() && !this.#wire.hasRequest(rel, this.#host))
      this.#wire.writeRequest(rel, this.#host);
  }

  /** Set or rotate the client certificate on every relation (leader); unchanged content costs nothing. */
  setMtlsCert(pem: string): void {
    this.model.requireLeader("set the client certificate");
    this.#specs = this.requests.map((r) => ({ ...r, mtlsCert: pem }));
    for (const rel of this.model.relations(this.endpoint)) this.#wire.setMtlsCert(rel, pem, this.#host);
  }

  /** v1: add a request on every relation (leader); the whole list is rewritten. */
  addRequest(request: RequestSpec | string): void {
    const spec = typeof request === "string" ? { resource: request } : request;
    if (this.contract !== "v1") throw new Error("addRequest needs the v1 contract");
    this.model.requireLeader("add a request");
    // Idempotent: re-adding a known resource must not count it twice (readiness compares counts).
    if (!this.requests.some((r) => r.resource === spec.resource)) this.#specs = [...this.requests, spec];
    for (const rel of this.model.relations(this.endpoint)) this.#wire.addRequest(rel, spec, this.#host);
  }

  /** v1: withdraw the request for a resource on every relation (leader), and its mTLS secret. */
  removeRequest(resource: string): void {
    if (this.contract !== "v1") throw new Error("removeRequest needs the v1 contract");
    this.model.requireLeader("remove a request");
    this.#specs = this.requests.filter((r) => r.resource !== resource);
    for (const rel of this.model.relations(this.endpoint))
      this.#wire.removeRequest(rel, resource, this.#host);
  }

  // ------------------------------------------------------------------------------------------
  // Reading the provider's answers (every unit)

  #issues(relation: RelationRef): IssueCollector {
    return new IssueCollector(relation, "provider", "app", this.#limits);
  }

  /** The answers of a relation, checked (secret URIs, shapes); issues recorded, nothing read yet. */
  #answers(providerBag: Readonly<StringBag>, issues: IssueCollector): AnswerBag[] {
    const answers = this.#wire.answers(providerBag, issues, this.#host);
    // `secret-<group>` values must be secret URIs: a broken one is the provider's error, not a hook-tool failure.
    for (const a of answers) {
      for (const [k, v] of Object.entries(a.bag)) {
        if (k.startsWith("secret-") && isSecretGroup(k.slice(7)) && parseSecretUri(v) === undefined)
          issues.add(`${a.at}${k}`, "expected a secret URI", v);
      }
    }
    return answers;
  }

  async #onChanged(rel: Relation): Promise<void> {
    const providerBag = rel.remoteAppData();
    const issues = this.#issues(rel.ref);
    if (!issues.withinLimits(providerBag)) return this.#invalid(rel, issues.issues);
    if (this.#gatedBySubordinate(rel, providerBag)) return;
    if (this.definition.mtls) this.#resendCrossModelCert(rel, providerBag);
    const own = rel.localUnit.get("data");
    const snapshot = this.#wire.readSnapshot(own);
    const statuses = issues.statuses("status", providerBag.status);
    const answers = this.#answers(providerBag, issues);
    if (!issues.ok) return this.#invalid(rel, issues.issues);
    const entries: AnswerBag[] = [];
    const events: { kind: Kind; resolved: Resolved }[] = [];
    for (const answer of answers) {
      const old = snapshot.bagOf(answer.requestId);
      const diff = diffBags(omitKeys(old, ["status"]), omitKeys(answer.bag, ["status"]));
      const touched = [...diff.added, ...diff.changed, ...diff.deleted];
      if (touched.length === 0) {
        entries.push(answer);
        continue;
      }
      const resolved = this.#resolve(rel, answer, providerBag);
      if (resolved.error) return this.#invalid(rel, resolved.error.issues);
      const a = resolved.answer;
      // Do not advance the snapshot past secrets we could not read yet, nor past a secret that still
      // lacks a ready field (half a login): once completed (secret-changed), it counts as new.
      const incomplete = a.ready
        ? []
        : this.#readyFields(a.entity)
            .filter((f) => a.raw[f] === undefined)
            .map((f) => this.#groupOf(f))
            .filter((g) => a.secrets.includes(g));
      const held = [...a.pendingSecrets, ...incomplete].map((g) => `secret-${g}`);
      entries.push({ ...answer, bag: omitKeys(answer.bag, held) });
      const wasReady = this.#readyByKeys(old, a.entity);
      if (a.ready && !wasReady) {
        events.push({ kind: { event: "created" }, resolved });
        // Keys that existed before and changed are still news; keys first seen now are covered by created.
        const keys = this.#plainKeys(diff.changed);
        if (keys.length) events.push({ kind: { event: "changed", keys }, resolved });
        continue;
      }
      if (!a.ready || !wasReady) continue;
      const plain = this.#plainKeys(touched);
      // Plain-mode credentials (no secrets): a changed login is a rotation, not a field change.
      const plainGroups = plain.filter((k) => isProtocolGroupField(k)).map((k) => groupOf(k));
      const keys = plain.filter((k) => !isProtocolGroupField(k));
      if (keys.length) events.push({ kind: { event: "changed", keys }, resolved });
      const groups = touched
        .filter((k) => k.startsWith("secret-") && isSecretGroup(k.slice(7)))
        .map((k) => k.slice(7) as SecretGroup)
        .filter((g) => !a.pendingSecrets.includes(g));
      const rotated = [...new Set([...groups, ...plainGroups])];
      if (rotated.length) events.push({ kind: { event: "rotated", groups: rotated }, resolved });
    }
    const { raised, resolved } = diffStatuses(snapshot.statuses, statuses);
    const base = { relation: rel.ref, remoteApp: rel.remoteApp };
    const emit = this.events.emit.bind(this.events) as (name: string, payload: unknown) => Promise<void>;
    for (const status of raised) await emit("statusRaised", { ...base, status });
    for (const status of resolved) await emit("statusResolved", { ...base, status });
    for (const { kind, resolved: r } of events) {
      await this.#emitAnswer(kind, r);
      if (kind.event === "created") this.#dropRequestedEntity(rel, r.answer, providerBag);
    }
    const text = this.#wire.writeSnapshot(entries, statuses);
    if (text !== own) rel.localUnit.set("data", text);
    clearInvalid(this.#notes, rel.ref);
  }

  /** Emit the definition's events for one answer: created (or its entity variant), changes, rotations. */
  async #emitAnswer(kind: Kind, r: Resolved): Promise<void> {
    const def = this.definition;
    const emit = this.events.emit.bind(this.events) as (name: string, payload: unknown) => Promise<void>;
    const base = { relation: r.answer.relation, remoteApp: r.answer.remoteApp, connection: r.connection };
    if (kind.event === "created") {
      const names = def.created;
      const name =
        names === undefined
          ? "created"
          : typeof names === "string"
            ? names
            : r.answer.entity
              ? (names.entity ?? names.default)
              : names.default;
      await emit(name, base);
      return;
    }
    if (kind.event === "changed") {
      const named = new Set<string>();
      for (const [key, name] of Object.entries(def.changes ?? {}))
        if (kind.keys.includes(key)) named.add(name);
      for (const name of named) await emit(name, base);
      await emit("changed", { ...base, keys: kind.keys });
      return;
    }
    await emit("credentialsRotated", { ...base, groups: kind.groups });
    const named = new Set<string>();
    for (const g of kind.groups) {
      const name = def.rotations?.[g as SecretGroup];
      if (name) named.add(name);
    }
    for (const name of named) await emit(name, base);
  }

  /** Canonical plain fields among touched keys (no secrets, bookkeeping or echoes). */
  #plainKeys(keys: readonly string[]): string[] {
    return keys
      .filter((k) => !k.startsWith("secret-") && !BOOKKEEPING.has(k) && !ECHO.has(k))
      .map((k) => this.#wire.canonical(k, this.#host));
  }

  /** Whether a snapshot bag already carried every ready field (plainly, or its group's secret). */
  #readyByKeys(bag: Readonly<StringBag>, entity: boolean): boolean {
    const v0Keys = this.definition.v0Keys;
    return this.#readyFields(entity).every((f) => {
      const flat = (v0Keys && Object.hasOwn(v0Keys, f) ? v0Keys[f] : f) ?? f;
      return (
        bag[flat] !== undefined || bag[f] !== undefined || bag[`secret-${this.#groupOf(f)}`] !== undefined
      );
    });
  }

  #readyFields(entity: boolean): readonly string[] {
    const ready = this.definition.ready;
    return entity ? (ready.entity ?? ready.default) : ready.default;
  }

  #groupOf(field: string): SecretGroup {
    const fields = this.definition.fields;
    return (fields && Object.hasOwn(fields, field) ? fields[field] : undefined) ?? groupOf(field);
  }

  /**
   * Resolve an answer once per hook: validate the raw answer, read its secrets (secret content over
   * plain keys, protocol §4.4), validate their content, decide readiness and build the connection.
   */
  #resolve(rel: Relation, answer: AnswerBag, providerBag: Readonly<StringBag>): Resolved {
    const key = `${rel.id}/${answer.requestId ?? ""}`;
    const cached = this.#resolved.get(key);
    if (cached) return cached;
    const def = this.definition;
    const issues: RemoteDataIssue[] = [];
    const checked = checkAnswer(def, this.contract, answer.bag, answer.requestId, rel.ref);
    if (!checked.ok) issues.push(...checked.issues);
    const typed: Record<string, unknown> = Object.create(null);
    const raw: StringBag = Object.create(null);
    for (const [k, v] of Object.entries(answer.bag)) {
      if (k.startsWith("secret-") || BOOKKEEPING.has(k)) continue;
      const name = this.#wire.canonical(k, this.#host);
      raw[name] = v;
      typed[name] = checked.ok ? checked.value[k] : v;
    }
    const secrets: SecretGroup[] = [];
    const pending: SecretGroup[] = [];
    for (const [k, uri] of Object.entries(answer.bag)) {
      const group = k.slice(7);
      if (!k.startsWith("secret-") || !isSecretGroup(group)) continue; // not a protocol group: nothing of ours lives there
      secrets.push(group);
      const label = secretLabel({
        endpoint: rel.endpoint,
        relationId: rel.id,
        ...(answer.requestId ? { requestId: answer.requestId } : {}),
        group,
      });
      const read = this.model.secrets.read(uri, { label, mode: "refresh" });
      if (!read.ok) {
        pending.push(group);
        continue;
      }
      const content = checkSecret(def, group, read.content, rel.ref);
      if (!content.ok) issues.push(...content.issues);
      for (const [f, v] of Object.entries(read.content)) {
        raw[f] = v;
        typed[f] = content.ok ? content.value[f] : v;
      }
    }
    const entity = this.#isEntity(answer, raw, providerBag);
    const error = issues.length ? new RemoteDataError(issues) : undefined;
    const ready = error === undefined && this.#readyFields(entity).every((f) => raw[f] !== undefined);
    // v0: the provider's echo, else its snapshot of our request, else (ready only) our own request,
    // whose lazy options may cost a config-get.
    const echoed = raw[def.resourceKey] ?? this.#sentV0(providerBag)?.[def.resourceKey];
    const resource =
      this.contract === "v1"
        ? (raw.resource ?? "")
        : (echoed ?? (ready ? this.requests[0]?.resource : undefined) ?? "");
    const a: Answer = {
      relation: rel.ref,
      remoteApp: rel.remoteApp,
      contract: this.contract,
      ...(answer.requestId ? { requestId: answer.requestId } : {}),
      resource,
      entity,
      raw,
      secrets,
      pendingSecrets: pending,
      ready,
    };
    const connection = ready ? (def.connection ? def.connection(typed as never, a) : a) : undefined;
    const resolved: Resolved = { answer: a, connection, error };
    this.#resolved.set(key, resolved);
    return resolved;
  }

  /**
   * Whether an answer is for an entity request. v0 asks the provider's snapshot of our request (what
   * Python's requirer does), so the request options are not needed; otherwise our own request.
   */
  #isEntity(answer: AnswerBag, fields: Readonly<StringBag>, providerBag: Readonly<StringBag>): boolean {
    if (!this.definition.ready.entity) return false;
    const sent = this.#sentV0(providerBag);
    if (sent) return sent["entity-type"] !== undefined;
    // Ready neither way (no answer yet): which request it is for does not matter, nor cost a call.
    const has = (f: string) => fields[f] !== undefined;
    if (!this.#readyFields(true).some(has) && !this.#readyFields(false).every(has)) return false;
    return this.#wire.specOf(answer, fields, this.#host)?.entityType !== undefined;
  }

  /** v0: our request as the provider saw it (its `data` snapshot, what Python's requirer reads), if sent. */
  #sentV0(providerBag: Readonly<StringBag>): Readonly<StringBag> | undefined {
    if (this.contract !== "v0" || providerBag.data === undefined) return undefined;
    return parseV0Snapshot(providerBag.data).bag;
  }

  /** Every ready, valid answer on every relation of the endpoint (secrets read once per hook). */
  #all(): Resolved[] {
    return this.model.relations(this.endpoint).flatMap((rel) => this.#readyOf(rel));
  }

  /** The ready, valid answers of one relation. */
  #readyOf(rel: Relation): Resolved[] {
    const providerBag = rel.remoteAppData();
    if (this.#gatedBySubordinate(rel, providerBag)) return [];
    const issues = this.#issues(rel.ref);
    const answers = this.#answers(providerBag, issues);
    if (!issues.ok) return [];
    return answers.map((a) => this.#resolve(rel, a, providerBag)).filter((r) => r.answer.ready);
  }

  /** The typed connection of every ready answer, on every relation (any hook, any unit). */
  connections(): ConnectionOf<D>[] {
    return this.#all().map((r) => r.connection as ConnectionOf<D>);
  }

  /**
   * A ready connection: on `relation` when given; else the hook's own relation's when it has one (no
   * `relation-ids` needed), else the first on the endpoint.
   */
  connection(relation?: RelationRef | number): ConnectionOf<D> | undefined {
    const id = typeof relation === "number" ? relation : relation?.id;
    if (id === undefined) {
      const own = this.#ready(this.model.eventRelation);
      if (own) return own.connection as ConnectionOf<D>;
    } else if (id === this.model.context.relation?.id) {
      return this.#ready(this.model.eventRelation)?.connection as ConnectionOf<D> | undefined;
    }
    const r = this.#all().find((x) => id === undefined || x.answer.relation.id === id);
    return r?.connection as ConnectionOf<D> | undefined;
  }

  /** The first ready answer of the hook's relation, when it is a live one of this endpoint. */
  #ready(rel: Relation | undefined): Resolved | undefined {
    return rel?.endpoint === this.endpoint && rel.active ? this.#readyOf(rel)[0] : undefined;
  }

  /** True when there is a relation and every request on every relation has a ready answer. */
  isReady(): boolean {
    const rels = this.model.relations(this.endpoint);
    if (rels.length === 0) return false;
    const ready = this.#all();
    const count = this.#wire.readyCount(this.#host);
    return rels.every((rel) => ready.filter((r) => r.answer.relation.id === rel.id).length >= count);
  }

  /** Subordinate providers answer only once one of their units says `state: ready` (§4.9, I-11). */
  #gatedBySubordinate(rel: Relation, providerBag: Readonly<StringBag>): boolean {
    if (parseBool(providerBag.subordinated) !== true) return false;
    return !rel.units.some((u) => rel.remoteUnitData(u).state === "ready");
  }

  async #invalid(rel: Relation, issues: readonly RemoteDataIssue[]): Promise<void> {
    const payload = { relation: rel.ref, remoteApp: rel.remoteApp, error: new RemoteDataError(issues) };
    await emitOrBlock(
      this.events as unknown as Emitter<{ invalid: typeof payload }>,
      "invalid",
      payload,
      this.#notes,
    );
  }

  /**
   * Cross-model, leader: once the provider publishes (or replaces) its `encryption-secret`, re-send the
   * certificate as a Fernet token with a copy of that URI (§7; Python re-sends on `encryption-secret` added).
   */
  #resendCrossModelCert(rel: Relation, providerBag: Readonly<StringBag>): void {
    const uri = providerBag["encryption-secret"];
    if (uri === undefined || !this.model.isLeader() || rel.localApp.get("encryption-secret") === uri) return;
    if (rel.isCrossModel) this.#wire.resendCrossModelCert(rel, providerBag, this.#host);
  }

  /** Once the provider answered, the requested-entity secret has served its purpose: remove it (leader). */
  #dropRequestedEntity(rel: Relation, answer: Answer, providerBag: Readonly<StringBag>): void {
    // Most requests carry no requested entity: know that before spending an is-leader call, from the
    // wire when it tells (lazy request options cost a config-get): v0's snapshot of our request names
    // the helper secret; an interface without entities has none to drop.
    const sent = this.#sentV0(providerBag);
    if (sent ? sent["requested-entity-secret"] === undefined : !this.definition.ready.entity) return;
    const spec =
      this.contract === "v0" ? this.requests[0] : this.requests.find((r) => r.resource === answer.resource);
    if (!spec?.requestedEntity || !this.model.isLeader()) return;
    this.#wire.dropRequestedEntity(rel, this.#host);
  }

  // ------------------------------------------------------------------------------------------
  // Rotation and teardown

  /** secret-changed: route by our label, else by URI among this endpoint's relations (§6.4). */
  async #onSecretChanged(secretId: string, label: string | undefined): Promise<void> {
    const parsed = label ? parseSecretLabel(label) : undefined;
    if (parsed && parsed.endpoint !== this.endpoint) return;
    const candidates = parsed
      ? [this.model.relation({ endpoint: this.endpoint, id: parsed.relationId })]
      : this.model.relations(this.endpoint);
    const xid = xidOf(secretId);
    for (const rel of candidates) {
      if (!rel.active) continue;
      const providerBag = rel.remoteAppData();
      for (const answer of this.#answers(providerBag, this.#issues(rel.ref))) {
        const groups = Object.entries(answer.bag)
          .filter(([k, v]) => k.startsWith("secret-") && xidOf(v) === xid)
          .map(([k]) => k.slice(7));
        if (groups.length === 0) continue;
        // An answer our snapshot does not hold yet (refused before, or still pending): the new content
        // may complete it, so it is read as relation-changed would read it (created, snapshot).
        const seen = this.#wire.readSnapshot(rel.localUnit.get("data")).bagOf(answer.requestId);
        if (!sameBag(omitKeys(seen, ["status"]), omitKeys(answer.bag, ["status"])))
          return this.#onChanged(rel);
        const resolved = this.#resolve(rel, answer, providerBag);
        if (resolved.error) return this.#invalid(rel, resolved.error.issues);
        if (resolved.answer.ready) await this.#emitAnswer({ event: "rotated", groups }, resolved);
        return;
      }
    }
  }

  async #onBroken(ref: RelationRef, remoteApp: string | undefined): Promise<void> {
    clearInvalid(this.#notes, ref);
    const emit = this.events.emit.bind(this.events) as (name: string, payload: unknown) => Promise<void>;
    await tearDownBrokenRelation(this.model, this.isDeparting(ref), this.#retain, ref, (departing) =>
      emit("gone", { relation: ref, remoteApp: remoteApp ?? null, departing }),
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

/** Fields of the `user`, `tls` and `entity` groups: credentials even when sent as plain keys. */
function isProtocolGroupField(key: string): boolean {
  const g = groupOf(key);
  return g === "user" || g === "tls" || g === "entity";
}
