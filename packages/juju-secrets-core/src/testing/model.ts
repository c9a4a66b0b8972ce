/**
 * `JujuModel`: the whole in-memory Juju model the test harness, the hook-tool fakes and the lifecycle
 * simulator share. Its state is plain JSON (`ModelState`), so the executable fakes can load it from a
 * file, act on it with the same code as `MemoryBackend`, and save it back.
 *
 * It holds what the controller holds: applications and units, relations with every databag, secrets
 * with their revisions, per-consumer tracking and labels and grants, statuses, workload versions,
 * juju-log lines and the log of every hook-tool call (secret values never appear in it).
 */

import { createHash, randomUUID } from "node:crypto";
import {
  appOfUnit,
  cloneJson,
  compareJujuVersions,
  isAppName,
  isUnitName,
  parseEndpoint,
  SimulationError,
  secretXid,
} from "./model-names.js";
import type {
  AddApplicationOptions,
  AddSecretOptions,
  ApplicationState,
  EndpointSpec,
  HookToolCall,
  JujuLogLine,
  JujuModelOptions,
  ModelState,
  RelationEndpointRef,
  RelationState,
  SecretOwnerRef,
  SecretRevisionState,
  SecretState,
  StatusRecord,
  UnitState,
} from "./model-state.js";

export * from "./model-names.js";
export * from "./model-state.js";

export const DEFAULT_JUJU_VERSION = "3.6.14";

/** Keys Juju itself puts in every unit databag. */
const JUJU_UNIT_KEYS: readonly string[] = ["egress-subnets", "ingress-address", "private-address"];

const BASE32HEX = "0123456789abcdefghijklmnopqrstuv";

// ---------------------------------------------------------------------------------------------
// The model

export class JujuModel {
  /** The live state. Tools and sessions mutate it; copy it with `toJSON()`. */
  state: ModelState;

  constructor(options: JujuModelOptions = {}) {
    this.state = {
      name: options.name ?? "test-model",
      uuid: options.uuid ?? randomUUID(),
      type: options.type ?? "iaas",
      jujuVersion: options.jujuVersion ?? DEFAULT_JUJU_VERSION,
      applications: {},
      units: {},
      relations: {},
      secrets: {},
      counters: { relation: 0, secret: 0, address: 0, seq: 0 },
      logs: [],
      calls: [],
    };
  }

  static fromJSON(json: ModelState | string): JujuModel {
    const model = new JujuModel();
    model.state = typeof json === "string" ? (JSON.parse(json) as ModelState) : cloneJson(json);
    return model;
  }

  /** A deep copy of the state (plain JSON). */
  toJSON(): ModelState {
    return cloneJson(this.state);
  }

  clone(): JujuModel {
    return JujuModel.fromJSON(this.state);
  }

  get name(): string {
    return this.state.name;
  }
  get uuid(): string {
    return this.state.uuid;
  }
  get jujuVersion(): string {
    return this.state.jujuVersion;
  }

  /** Is the model's Juju at least `version`? */
  atLeast(version: string): boolean {
    return compareJujuVersions(this.state.jujuVersion, version) >= 0;
  }

  nextSeq(): number {
    this.state.counters.seq += 1;
    return this.state.counters.seq;
  }

  // -- applications and units -----------------------------------------------------------------

  addApplication(name: string, options: AddApplicationOptions = {}): ApplicationState {
    if (!isAppName(name)) throw new SimulationError(`invalid application name "${name}"`);
    if (this.state.applications[name]) throw new SimulationError(`application "${name}" already exists`);
    const endpoints: Record<string, EndpointSpec> = {};
    for (const [ep, spec] of Object.entries(options.endpoints ?? {})) endpoints[ep] = parseEndpoint(spec);
    const app: ApplicationState = {
      name,
      endpoints,
      units: [],
      leader: null,
      nextUnit: 0,
      config: { ...(options.config ?? {}) },
      status: { status: "unknown", message: "" },
      statusHistory: [],
    };
    if (options.modelUuid !== undefined) app.modelUuid = options.modelUuid;
    this.state.applications[name] = app;
    const count = options.units ?? 1;
    for (let i = 0; i < count; i++) this.addUnit(name);
    const leader = options.leader === undefined ? 0 : options.leader;
    if (leader !== null) this.setLeader(typeof leader === "number" ? `${name}/${leader}` : leader);
    return app;
  }

  application(name: string): ApplicationState {
    const app = this.state.applications[name];
    if (!app) throw new SimulationError(`no application "${name}"`);
    return app;
  }

  unit(name: string): UnitState {
    const unit = this.state.units[name];
    if (!unit) throw new SimulationError(`no unit "${name}"`);
    return unit;
  }

  hasUnit(name: string): boolean {
    return this.state.units[name] !== undefined;
  }

  /** Add a unit (no hooks); it gets an address and a databag in every live relation of its app. */
  addUnit(appName: string): string {
    const app = this.application(appName);
    const name = `${appName}/${app.nextUnit}`;
    app.nextUnit += 1;
    const n = this.state.counters.address++;
    const address = `10.1.${Math.floor(n / 200)}.${10 + (n % 200)}`;
    this.state.units[name] = {
      name,
      app: appName,
      address,
      status: { status: "unknown", message: "" },
      statusHistory: [],
      workloadVersion: "",
      workloadVersionHistory: [],
    };
    app.units.push(name);
    for (const rel of Object.values(this.state.relations)) {
      if (rel.endpoints.some((e) => e.app === appName)) {
        rel.unitData[name] = this.jujuUnitKeys(name);
        rel.members[name] = [];
      }
    }
    return name;
  }

  /** Remove a unit outright (no hooks): its tracking and labels go; its databags stay (Juju keeps them). */
  removeUnit(name: string): void {
    const unit = this.unit(name);
    const app = this.application(unit.app);
    app.units = app.units.filter((u) => u !== name);
    if (app.leader === name) app.leader = null;
    delete this.state.units[name];
    for (const rel of Object.values(this.state.relations)) {
      delete rel.members[name];
      for (const [u, list] of Object.entries(rel.members)) rel.members[u] = list.filter((m) => m !== name);
      rel.left = rel.left.filter((u) => u !== name);
    }
    for (const s of Object.values(this.state.secrets)) {
      delete s.tracking[name];
      delete s.consumerLabels[name];
      s.grants = s.grants.filter((g) => !(g.kind === "unit" && g.target === name));
    }
  }

  setLeader(unit: string | null, app?: string): void {
    if (unit === null) {
      if (app) this.application(app).leader = null;
      return;
    }
    const u = this.unit(unit);
    this.application(u.app).leader = unit;
  }

  leaderOf(app: string): string | null {
    return this.application(app).leader;
  }

  isLeader(unit: string): boolean {
    const u = this.state.units[unit];
    return u !== undefined && this.state.applications[u.app]?.leader === unit;
  }

  /** The uuid of the model an app lives in. */
  modelUuidOf(app: string): string {
    return this.state.applications[app]?.modelUuid ?? this.state.uuid;
  }

  jujuUnitKeys(unit: string): Record<string, string> {
    const address = this.unit(unit).address;
    return { "egress-subnets": `${address}/32`, "ingress-address": address, "private-address": address };
  }

  // -- relations ------------------------------------------------------------------------------

  /**
   * Add a relation between `"app:endpoint"` and `"app:endpoint"` (or one peer endpoint) without
   * hooks. `members: "all"` (default) makes every unit see every remote unit as joined.
   */
  addRelation(a: string, b?: string, options: { members?: "all" | "none" } = {}): number {
    const first = this.#endpointRef(a);
    const firstSpec = this.application(first.app).endpoints[first.endpoint]!;
    let endpoints: RelationEndpointRef[];
    if (b === undefined) {
      if (firstSpec.role !== "peers") throw new SimulationError(`endpoint "${a}" is not a peer endpoint`);
      endpoints = [first];
    } else {
      const second = this.#endpointRef(b);
      const secondSpec = this.application(second.app).endpoints[second.endpoint]!;
      const roles = new Set([firstSpec.role, secondSpec.role]);
      if (!(roles.has("provides") && roles.has("requires"))) {
        throw new SimulationError(`cannot relate "${a}" (${firstSpec.role}) and "${b}" (${secondSpec.role})`);
      }
      if (firstSpec.interface !== secondSpec.interface) {
        throw new SimulationError(
          `cannot relate "${a}" and "${b}": interfaces differ (${firstSpec.interface} vs ${secondSpec.interface})`,
        );
      }
      if (first.app === second.app) throw new SimulationError("cannot relate an application to itself");
      const existing = Object.values(this.state.relations).find(
        (r) =>
          !r.dying &&
          r.endpoints.length === 2 &&
          r.endpoints.some((e) => e.app === first.app && e.endpoint === first.endpoint) &&
          r.endpoints.some((e) => e.app === second.app && e.endpoint === second.endpoint),
      );
      if (existing) throw new SimulationError(`relation "${a}" "${b}" already exists (id ${existing.id})`);
      endpoints = [first, second];
    }
    const id = this.state.counters.relation++;
    const rel: RelationState = {
      id,
      interface: firstSpec.interface,
      endpoints,
      appData: {},
      unitData: {},
      members: {},
      dying: false,
      left: [],
    };
    for (const ep of endpoints) {
      rel.appData[ep.app] = {};
      for (const unit of this.application(ep.app).units) {
        rel.unitData[unit] = this.jujuUnitKeys(unit);
        rel.members[unit] = [];
      }
    }
    this.state.relations[String(id)] = rel;
    if ((options.members ?? "all") === "all") {
      for (const unit of Object.keys(rel.members)) rel.members[unit] = this.remoteUnitsOf(rel, unit);
    }
    return id;
  }

  #endpointRef(spec: string): RelationEndpointRef {
    const i = spec.indexOf(":");
    if (i < 0) throw new SimulationError(`endpoint "${spec}" must look like "app:endpoint"`);
    const ref = { app: spec.slice(0, i), endpoint: spec.slice(i + 1) };
    if (!this.application(ref.app).endpoints[ref.endpoint]) {
      throw new SimulationError(`application "${ref.app}" has no endpoint "${ref.endpoint}"`);
    }
    return ref;
  }

  /** Delete a relation outright (no hooks); grants scoped to it go with it. */
  removeRelation(id: number): void {
    this.relation(id);
    delete this.state.relations[String(id)];
    for (const s of Object.values(this.state.secrets)) s.grants = s.grants.filter((g) => g.relationId !== id);
  }

  relation(id: number): RelationState {
    const rel = this.state.relations[String(id)];
    if (!rel) throw new SimulationError(`no relation ${id}`);
    return rel;
  }

  hasRelation(id: number): boolean {
    return this.state.relations[String(id)] !== undefined;
  }

  /** Relations, optionally those of one app (and endpoint). */
  relations(filter: { app?: string; endpoint?: string } = {}): RelationState[] {
    return Object.values(this.state.relations)
      .filter((r) =>
        r.endpoints.some(
          (e) =>
            (filter.app === undefined || e.app === filter.app) &&
            (filter.endpoint === undefined || e.endpoint === filter.endpoint),
        ),
      )
      .sort((x, y) => x.id - y.id);
  }

  /** The other app of a relation as seen from `app` (itself for a peer relation). */
  remoteAppOf(rel: RelationState, app: string): string {
    return rel.endpoints.find((e) => e.app !== app)?.app ?? app;
  }

  /** `app`'s endpoint name in the relation. */
  localEndpointOf(rel: RelationState, app: string): string {
    const ep = rel.endpoints.find((e) => e.app === app);
    if (!ep) throw new SimulationError(`application "${app}" is not in relation ${rel.id}`);
    return ep.endpoint;
  }

  /** All current units on the other side of the relation from `unit` (other peers for a peer relation). */
  remoteUnitsOf(rel: RelationState, unit: string): string[] {
    const app = appOfUnit(unit);
    const remote = this.remoteAppOf(rel, app);
    return (this.state.applications[remote]?.units ?? []).filter((u) => u !== unit);
  }

  /** A copy of an app databag. */
  appBag(relationId: number, app: string): Record<string, string> {
    return { ...(this.relation(relationId).appData[app] ?? {}) };
  }

  /** A copy of a unit databag, without Juju's own keys unless asked. */
  unitBag(relationId: number, unit: string, options: { jujuKeys?: boolean } = {}): Record<string, string> {
    const bag = { ...(this.relation(relationId).unitData[unit] ?? {}) };
    if (!options.jujuKeys) for (const k of JUJU_UNIT_KEYS) delete bag[k];
    return bag;
  }

  /** Replace a databag (test setup). Unit bags keep Juju's keys unless `data` sets them. */
  setAppBag(relationId: number, app: string, data: Readonly<Record<string, string>>): void {
    this.relation(relationId).appData[app] = { ...data };
  }

  setUnitBag(relationId: number, unit: string, data: Readonly<Record<string, string>>): void {
    const rel = this.relation(relationId);
    const juju = this.hasUnit(unit) ? this.jujuUnitKeys(unit) : {};
    rel.unitData[unit] = { ...juju, ...data };
  }

  // -- secrets --------------------------------------------------------------------------------

  /** A fresh xid: 20 base32hex characters, deterministic per model so runs are reproducible. */
  nextSecretXid(): string {
    const n = this.state.counters.secret++;
    const digest = createHash("sha256").update(`${this.state.uuid}:secret:${n}`).digest();
    let xid = "";
    for (let i = 0; i < 20; i++) xid += BASE32HEX[digest[i]! & 31];
    return xid;
  }

  /** The URI `secret-add` prints for a secret: `secret://<model-uuid>/<xid>` (`secret:<xid>` before 3.3). */
  secretUri(xid: string): string {
    if (!this.atLeast("3.3")) return `secret:${xid}`;
    const s = this.state.secrets[xid];
    const ownerApp = s ? (s.owner.kind === "application" ? s.owner.app : appOfUnit(s.owner.unit)) : undefined;
    return `secret://${ownerApp ? this.modelUuidOf(ownerApp) : this.state.uuid}/${xid}`;
  }

  /** Add a secret directly (test setup); returns its URI. */
  addSecret(options: AddSecretOptions): string {
    const owner: SecretOwnerRef = isUnitName(options.owner)
      ? { kind: "unit", unit: options.owner }
      : { kind: "application", app: options.owner };
    const ownerApp = owner.kind === "application" ? owner.app : appOfUnit(owner.unit);
    this.application(ownerApp);
    const xid = this.nextSecretXid();
    const revisions: SecretRevisionState[] = [options.content, ...(options.moreRevisions ?? [])].map(
      (content, i) => ({ revision: i + 1, content: { ...content } }),
    );
    const s: SecretState = {
      xid,
      owner,
      revisions,
      latestRevision: revisions.length,
      tracking: { ...(options.tracking ?? {}) },
      consumerLabels: { ...(options.consumerLabels ?? {}) },
      grants: [],
      removedRevisions: [],
      obsoleteNotified: [],
    };
    if (options.label !== undefined) s.label = options.label;
    if (options.description !== undefined) s.description = options.description;
    if (options.expiry !== undefined) s.expiry = options.expiry;
    if (options.rotation !== undefined) s.rotation = options.rotation;
    for (const g of options.grants ?? []) {
      const rel = this.relation(g.relationId);
      s.grants.push(
        g.unit
          ? { relationId: g.relationId, kind: "unit", target: g.unit }
          : { relationId: g.relationId, kind: "application", target: this.remoteAppOf(rel, ownerApp) },
      );
    }
    this.state.secrets[xid] = s;
    return this.secretUri(xid);
  }

  /** A secret by xid or any URI form; undefined when unknown (or removed). */
  secret(idOrUri: string): SecretState | undefined {
    const xid = secretXid(idOrUri);
    return xid === undefined ? undefined : this.state.secrets[xid];
  }

  /** A secret by owner label, or by a consumer label of `consumer`. */
  secretByLabel(label: string, consumer?: string): SecretState | undefined {
    return Object.values(this.state.secrets).find((s) =>
      consumer === undefined ? s.label === label : s.consumerLabels[consumer] === label,
    );
  }

  /** Content of a revision (default: latest); undefined when unknown. */
  secretContent(idOrUri: string, revision?: number): Record<string, string> | undefined {
    const s = this.secret(idOrUri);
    const rev = s?.revisions.find((r) => r.revision === (revision ?? s.latestRevision));
    return rev ? { ...rev.content } : undefined;
  }

  secrets(): SecretState[] {
    return Object.values(this.state.secrets);
  }

  // -- status, logs, calls --------------------------------------------------------------------

  unitStatus(unit: string): StatusRecord {
    return { ...this.unit(unit).status };
  }

  appStatus(app: string): StatusRecord {
    return { ...this.application(app).status };
  }

  recordCall(call: Omit<HookToolCall, "seq">): HookToolCall {
    const entry: HookToolCall = { seq: this.nextSeq(), ...call, argv: [...call.argv] };
    this.state.calls.push(entry);
    return entry;
  }

  /** Hook-tool calls, optionally of one unit. */
  calls(unit?: string): HookToolCall[] {
    return this.state.calls.filter((c) => unit === undefined || c.unit === unit);
  }

  logs(unit?: string): JujuLogLine[] {
    return this.state.logs.filter((l) => unit === undefined || l.unit === unit);
  }
}
